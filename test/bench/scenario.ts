import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { syncStore } from '../../lib/client/connect.js';
import { HttpClient } from '../../lib/client/http.js';
import type { SyncReport } from '../../lib/client/report.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { Write } from '../../lib/store/store.js';
import { itemData, itemIds, phaseBPlan, random, type PhaseBPlan } from './data.js';
import { headCursor, load, type LoadFigures } from './load.js';
import { MemoryPeak } from './memory.js';
import type { BareKoaReady, ServerReady, ServerRequest, ServerStats } from './server.js';

/**
 * The sync benchmark (issue "Performance"): a node with N items in SQLite, a client with an
 * empty SQLite store, and the phases
 *   A  initial: one sync pulls all N;
 *   B  two-way: K items changed on each side, K/10 on both (conflicts), K/10 deleted on each side;
 *   C  no-op: sync again; C2 once more;
 * against the floor: a plain node:http server sending the same N items as one JSON array.
 * The server is a child process (CPU and memory measured there, bytes counted at its sockets);
 * the client runs here, one `syncStore` per phase as `halsync sync` would.
 */

export type PhaseName = 'floor' | 'A' | 'B' | 'C' | 'C2';

export interface BenchOptions {
  n: number;
  k: number;
  phases: readonly Exclude<PhaseName, 'floor'>[];
  /** Run the floor (it holds all N items in memory by design: skip it for huge N). */
  floor: boolean;
  /** Log page size the client asks for (the server's default when absent). */
  pageSize?: number;
  /** Write the server's `--cpu-prof` profile into this directory. */
  serverProfileDir?: string;
  /** After the phases, load the log with reads for this many seconds per kind (0: no load). */
  loadSeconds?: number;
}

export interface PhaseFigures {
  phase: PhaseName;
  wallMs: number;
  clientCpuMs: number;
  serverCpuMs: number;
  /** Requests as the client counted them (discovery included) and as the server saw them. */
  requests: number;
  serverRequests: number;
  /** Bytes at the server's sockets: requests read (up) and responses written (down). */
  bytesUp: number;
  bytesDown: number;
  pulled: number;
  pushed: number;
  conflicts: number;
  /** Peak RSS during the phase (memory.ts). */
  clientPeak: { rss: number };
  serverPeak: { rss: number };
}

export interface BenchResult {
  n: number;
  k: number;
  /** The floor's body: the N items' data as one JSON array. */
  floorBytes: number;
  phases: PhaseFigures[];
  floor?: PhaseFigures;
  load?: LoadRun[];
}

export const SERVER_SCRIPT = fileURLToPath(new URL('./server.js', import.meta.url));

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-bench-'));
  const serverDb = join(dir, 'server.db');
  await seedServer(serverDb, options.n);
  const server = await Child.start(serverDb, options.serverProfileDir);
  const store = SqliteStore.open(join(dir, 'client.db'));
  const peak = new MemoryPeak();
  try {
    const result: BenchResult = { n: options.n, k: options.k, floorBytes: 0, phases: [] };
    if (options.floor) result.floor = await measureFloor(server, peak, result);
    const plan = phaseBPlan(options.n, options.k, Math.round(options.k / 10), Math.round(options.k / 10));
    for (const phase of options.phases) {
      if (phase === 'B') await changeBothSides(store, server, plan);
      result.phases.push(await measure(phase, server, peak, () => syncOnce(store, server.url, options)));
    }
    if (options.loadSeconds) result.load = await loadLog(server, options.loadSeconds);
    return result;
  } finally {
    peak.stop();
    await store.close();
    await server.exit();
    await rm(dir, { recursive: true, force: true });
  }
}

export interface LoadRun extends LoadFigures {
  serverCpuPercent: number;
}

/**
 * Log reads under load: a client polling at the head (what phase C asks), and a page of 1000
 * entries with data from the node beside bare Koa serving the same page from memory, both
 * gzipped as a client asking for gzip gets them, and both as they are.
 */
async function loadLog(server: Child, seconds: number): Promise<LoadRun[]> {
  const log = new URL('items/transactions', server.url).href;
  const page = `${log}?limit=1000&embed=data`;
  const bare = (await server.ask({ op: 'bare-koa', page })) as BareKoaReady;
  const kinds = [
    { name: 'node: log read at the head (cursor, nothing new)', url: `${log}?cursor=${encodeURIComponent(await headCursor(log))}`, gzip: true },
    { name: 'node: log page of 1000 entries with data, gzip', url: page, gzip: true },
    { name: 'bare Koa: the same page from memory, gzip', url: bare.gzip, gzip: true },
    { name: 'node: log page of 1000 entries with data, identity', url: page, gzip: false },
    { name: 'bare Koa: the same page from memory, identity', url: bare.raw, gzip: false },
  ];
  const figures = [];
  for (const kind of kinds) {
    const before = await server.stats();
    const started = performance.now();
    const run = await load(kind.name, kind.url, seconds, kind.gzip);
    const after = await server.stats();
    const cpu = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system;
    figures.push({ ...run, serverCpuPercent: cpu / 10 / (performance.now() - started) });
  }
  return figures;
}

async function syncOnce(store: SqliteStore, url: string, options: BenchOptions): Promise<SyncReport> {
  const http = new HttpClient();
  try {
    // Past 100,000 items the per-item decisions are not kept: they alone would grow with N.
    return await syncStore(store, url, { http, decisions: options.n <= 100_000, ...(options.pageSize ? { pageSize: options.pageSize } : {}) });
  } finally {
    http.close();
  }
}

export async function measure(phase: PhaseName, server: Child, peak: MemoryPeak, run: () => Promise<SyncReport | null>): Promise<PhaseFigures> {
  await server.ask({ op: 'reset-peak' });
  peak.reset();
  const before = await server.stats();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const report = await run();
  const wallMs = performance.now() - started;
  const clientCpu = process.cpuUsage(cpu);
  const after = await server.stats();
  const traffic = phase === 'floor' ? (s: ServerStats) => s.floor : (s: ServerStats) => s.api;
  return {
    phase,
    wallMs,
    clientCpuMs: (clientCpu.user + clientCpu.system) / 1000,
    serverCpuMs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000,
    requests: report ? report.requests : traffic(after).requests - traffic(before).requests,
    serverRequests: traffic(after).requests - traffic(before).requests,
    bytesUp: traffic(after).bytesIn - traffic(before).bytesIn,
    bytesDown: traffic(after).bytesOut - traffic(before).bytesOut,
    pulled: report?.pulled ?? 0,
    pushed: report?.pushed ?? 0,
    conflicts: report?.conflicts ?? 0,
    clientPeak: peak.read(),
    serverPeak: after.peak,
  };
}

/**
 * The floor, the median of five: one GET of the documents' data on a keep-alive connection that
 * is already open (a warm-up request opens it), the whole body parsed.
 */
export async function measureFloor(server: Child, peak: MemoryPeak, result: { floorBytes: number }): Promise<PhaseFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    await floorGet(new URL('warm', server.floorUrl).href, agent);
    const runs: PhaseFigures[] = [];
    for (let i = 0; i < 5; i++) {
      runs.push(
        await measure('floor', server, peak, async () => {
          const text = await floorGet(server.floorUrl, agent);
          result.floorBytes = Buffer.byteLength(text);
          if (!Array.isArray(JSON.parse(text))) throw new Error('the floor answered no array');
          return null;
        }),
      );
    }
    return runs.sort((a, b) => a.wallMs - b.wallMs)[2]!;
  } finally {
    agent.destroy();
  }
}

function floorGet(url: string, agent: http.Agent): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** Phase B's edits, made outside any sync: straight into the client's store, and by the server process into its own. */
async function changeBothSides(store: SqliteStore, server: Child, plan: PhaseBPlan): Promise<void> {
  const ids = itemIds(plan.remoteDeletes[1]);
  const next = random(11);
  const local: Write[] = [
    ...[...ids.slice(...plan.localOnly), ...ids.slice(...plan.both)].map((id) => originWrite(id, itemData(next, 1))),
    ...ids.slice(...plan.localDeletes).map((id) => originWrite(id, null)),
  ];
  const outcome = await store.apply('items', local);
  if (!outcome.ok) throw new Error('phase B: local edits refused');
  // The server's edits cover remoteOnly and both (contiguous ranges), and its deletes.
  const reply = await server.ask({ op: 'mutate', change: [[plan.remoteOnly[0], plan.both[1]]], remove: [plan.remoteDeletes], seed: 13, revision: 2 });
  if (!(reply as { ok: boolean }).ok) throw new Error('phase B: server edits refused');
}

function originWrite(itemId: string, data: Json): Write {
  return { itemId, data, deleted: data === null, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } };
}

export async function seedServer(path: string, n: number): Promise<void> {
  const child = fork(SERVER_SCRIPT, ['seed', path, String(n)], { stdio: 'inherit' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`seeding the server store failed (exit ${code})`);
}

/** The server process and its IPC channel: one question at a time, answered in order. */
export class Child {
  private constructor(
    private readonly process: ChildProcess,
    readonly url: string,
    readonly floorUrl: string,
  ) {}

  static async start(path: string, profileDir?: string): Promise<Child> {
    const execArgv = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
    const child = fork(SERVER_SCRIPT, ['serve', path], { stdio: 'inherit', execArgv });
    const ready = await new Promise<ServerReady>((resolve, reject) => {
      child.once('message', (message) => resolve(message as ServerReady));
      child.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before it was ready`)));
    });
    return new Child(child, ready.url, ready.floorUrl);
  }

  ask(request: ServerRequest): Promise<unknown> {
    return new Promise((resolve) => {
      this.process.once('message', resolve);
      this.process.send(request);
    });
  }

  async stats(): Promise<ServerStats> {
    return (await this.ask({ op: 'stats' })) as ServerStats;
  }

  async exit(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.send({ op: 'exit' } satisfies ServerRequest);
    await exited;
  }
}
