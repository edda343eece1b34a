import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SyncReport } from '../../lib/client/report.js';
import { phaseBPlan } from './data.js';
import { Child, seedServer } from './scenario.js';
import type { ServerStats } from './server.js';
import { middle } from './middle.js';

/**
 * The node↔node benchmark: two halsync nodes on SQLite (child processes, B seeded with N items,
 * A empty) and `halsync sync A B --json` run as its own process per phase, as a user runs it.
 * Phases as in scenario.ts: A first sync, B K changes on each side + K/10 conflicts + K/10
 * deletions on each side, C no-op. Per phase: the sync process's wall time beside the `ms` it
 * reports (first request to last response), the CPU of each of the three processes, requests,
 * bytes at the nodes' sockets, and peak RSS of each process.
 */
export { CLI } from '../support/serve.js';
import { CLI } from '../support/serve.js';
const UNBUNDLED_CLI = fileURLToPath(new URL('../../lib/cli/index.js', import.meta.url));

export type NodePhase = 'A' | 'B' | 'C';

export interface NodePhaseFigures {
  phase: NodePhase;
  /** The sync process, spawn to exit. */
  wallMs: number;
  /** What the sync reported: first request to last response. */
  syncMs: number;
  cpuMs: { sync: number; a: number; b: number };
  /** As the sync process counted them (`requests` in its report), and as the two nodes saw them. */
  requests: number;
  serverRequests: number;
  /** Bytes at the nodes' sockets: what the sync process sent (up) and received (down). */
  bytesUp: number;
  bytesDown: number;
  pulled: number;
  pushed: number;
  conflicts: number;
  peakRss: { sync: number; a: number; b: number };
  /** Phase C only, with `noopPairs`: medians of no-op syncs run alternately with `node -e 0`. */
  startup?: NoopStartup;
}

/**
 * The no-op sync's start-up beside bare node's, sampled in alternation against the same two
 * nodes: on a machine whose speed drifts, a ratio of figures taken minutes apart says little.
 */
export interface NoopStartup {
  pairs: number;
  bareMs: number;
  syncMs: number;
}

export interface NodeOptions {
  n: number;
  k: number;
  phases: readonly NodePhase[];
  /** Write CPU profiles of the three processes here, one a process and phase (sync-A.cpuprofile, node-a-A.cpuprofile, …). */
  profileDir?: string;
  /** After phase C, this many more no-op syncs, each after a `node -e 0` (phase C's `startup`). */
  noopPairs?: number;
}

export async function runNodes(options: NodeOptions): Promise<NodePhaseFigures[]> {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-bench-nodes-'));
  await seedServer(join(dir, 'b.db'), options.n);
  const [a, b] = await Promise.all([Child.start(join(dir, 'a.db')), Child.start(join(dir, 'b.db'))]);
  try {
    const figures: NodePhaseFigures[] = [];
    const plan = phaseBPlan(options.n, options.k, Math.round(options.k / 10), Math.round(options.k / 10));
    for (const phase of options.phases) {
      if (phase === 'B') {
        // A plays local: its edits are the local ones, B's the remote ones; the shared range conflicts.
        const edits = [
          a.ask({ op: 'mutate', change: [plan.localOnly, plan.both], remove: [plan.localDeletes], seed: 11, revision: 1 }),
          b.ask({ op: 'mutate', change: [plan.remoteOnly, plan.both], remove: [plan.remoteDeletes], seed: 13, revision: 2 }),
        ];
        for (const reply of await Promise.all(edits)) if (!(reply as { ok: boolean }).ok) throw new Error('phase B: edits refused');
      }
      const phaseFigures = await syncPhase(phase, a, b, join(dir, 'state.json'), options.profileDir);
      if (phase === 'C' && options.noopPairs) phaseFigures.startup = await noopStartup(a, b, join(dir, 'state.json'), options.noopPairs);
      figures.push(phaseFigures);
    }
    return figures;
  } finally {
    await Promise.all([a.exit(), b.exit()]);
    await rm(dir, { recursive: true, force: true });
  }
}

async function syncPhase(phase: NodePhase, a: Child, b: Child, state: string, profileDir?: string): Promise<NodePhaseFigures> {
  await Promise.all([a.ask({ op: 'reset-peak' }), b.ask({ op: 'reset-peak' })]);
  if (profileDir) await Promise.all([a.ask({ op: 'profile-start' }), b.ask({ op: 'profile-start' })]);
  const before = await Promise.all([a.stats(), b.stats()]);
  const profile = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir, '--cpu-prof-name', `sync-${phase}.cpuprofile`] : [];
  // Profiled, the command runs unbundled: a minified bundle's function names say nothing.
  const run = await runNode([...profile, profileDir ? UNBUNDLED_CLI : CLI, ...syncArgs(a, b, state)]);
  const after = await Promise.all([a.stats(), b.stats()]);
  if (profileDir) {
    await a.ask({ op: 'profile-stop', file: join(profileDir, `node-a-${phase}.cpuprofile`) });
    await b.ask({ op: 'profile-stop', file: join(profileDir, `node-b-${phase}.cpuprofile`) });
  }
  const report = syncReport(run);
  const delta = (pick: (s: ServerStats) => number) => pick(after[0]) - pick(before[0]) + pick(after[1]) - pick(before[1]);
  const cpu = (i: 0 | 1) => (after[i].cpu.user + after[i].cpu.system - before[i].cpu.user - before[i].cpu.system) / 1000;
  return {
    phase,
    wallMs: run.wallMs,
    syncMs: report.ms,
    cpuMs: { sync: run.cpuMs, a: cpu(0), b: cpu(1) },
    requests: report.requests,
    serverRequests: delta((s) => s.api.requests),
    bytesUp: delta((s) => s.api.bytesIn),
    bytesDown: delta((s) => s.api.bytesOut),
    pulled: report.pulled,
    pushed: report.pushed,
    conflicts: report.conflicts,
    peakRss: { sync: run.peakRss, a: after[0].peak.rss, b: after[1].peak.rss },
  };
}

async function noopStartup(a: Child, b: Child, state: string, pairs: number): Promise<NoopStartup> {
  const bare: number[] = [];
  const sync: number[] = [];
  for (let i = 0; i < pairs; i++) {
    bare.push((await runNode(['-e', '0'])).wallMs);
    const run = await runCli(syncArgs(a, b, state));
    const report = syncReport(run);
    if (report.pulled + report.pushed !== 0) throw new Error(`a sync after a sync moved ${report.pulled} + ${report.pushed} items`);
    sync.push(run.wallMs);
  }
  return { pairs, bareMs: middle(bare), syncMs: middle(sync) };
}

/** `halsync sync A B` as the bench runs it: A plays local, the report as JSON, the checkpoints in `state`. */
function syncArgs(a: Child, b: Child, state: string): string[] {
  return ['sync', a.url, b.url, '--json', '--state', state];
}

function syncReport(run: ProcessRun): SyncReport {
  if (run.code !== 0) throw new Error(`halsync sync exited ${run.code}: ${run.stderr || run.stdout}`);
  return JSON.parse(run.stdout) as SyncReport;
}

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  wallMs: number;
  /** User + system CPU of the process (and any it waited for), 10 ms resolution. */
  cpuMs: number;
  /** Its peak RSS (VmHWM), as last read before it exited. */
  peakRss: number;
}

/**
 * Runs `node <args>` as its own process, timed from spawn to exit. Its CPU is read from this
 * process's own /proc/self/stat: `cutime` and `cstime` grow by a child's CPU when it is reaped,
 * and no other child of this process exits meanwhile (the nodes live on).
 */
export async function runNode(args: string[]): Promise<ProcessRun> {
  const cpuBefore = childrenCpuMs();
  const started = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let peakRss = 0;
  const sample = () => {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (hwm) peakRss = Math.max(peakRss, Number(hwm[1]) * 1024);
    } catch {
      // Gone already: the last sample stands.
    }
  };
  const sampler = setInterval(sample, 10);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (exitCode) => resolve(exitCode));
  });
  const wallMs = performance.now() - started;
  clearInterval(sampler);
  await new Promise<void>((resolve) => (child.stdout.readableEnded ? resolve() : child.stdout.once('end', () => resolve())));
  return {
    code,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
    wallMs,
    cpuMs: childrenCpuMs() - cpuBefore,
    peakRss,
  };
}

export function runCli(args: string[]): Promise<ProcessRun> {
  return runNode([CLI, ...args]);
}

/** cutime + cstime of this process, in ms (fields 16 and 17 of /proc/self/stat, in clock ticks of 1/100 s). */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) * 10;
}
