import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Json } from '../../lib/protocol/types.js';
import { itemData, itemIds, phaseBPlan, random } from './data.js';
import type { NodePhase } from './nodes.js';

/**
 * PouchDB 9 beside halsync, on the same data and phases: a memory PouchDB (a child process,
 * bench/pouchdb/client.js) syncing, both directions in one shot, with express-pouchdb over
 * memory PouchDB (another, bench/pouchdb/server.js). bench/pouchdb is a package of its own,
 * with pinned versions and a lockfile; it is installed here on first use (`npm ci`, no install
 * scripts: the memory adapter needs no native build), never by the project's own `npm ci`.
 */
const PACKAGE = fileURLToPath(new URL('../../../bench/pouchdb/', import.meta.url));

export interface PouchPhaseFigures {
  phase: NodePhase;
  /** The client's `db.sync(remote)`, called to resolved. */
  wallMs: number;
  cpuMs: { client: number; server: number };
  requests: number;
  bytesUp: number;
  bytesDown: number;
  pulled: number;
  pushed: number;
  conflicts: number;
  peakRss: { client: number; server: number };
}

export function installPouch(): void {
  if (existsSync(join(PACKAGE, 'node_modules'))) return;
  console.log('bench: installing bench/pouchdb (first use) …');
  execFileSync('npm', ['ci', '--prefix', PACKAGE, '--ignore-scripts', '--no-audit', '--no-fund'], { stdio: 'inherit' });
}

interface PouchStats {
  cpu: NodeJS.CpuUsage;
  rss: number;
  requests?: number;
  bytesIn?: number;
  bytesOut?: number;
}

export async function runPouch(options: { n: number; k: number; phases: readonly NodePhase[] }): Promise<PouchPhaseFigures[]> {
  installPouch();
  // express-pouchdb may write its config and log next to it: a directory of its own.
  const dir = await mkdtemp(join(tmpdir(), 'halsync-bench-pouch-'));
  const server = await PouchChild.start('server.js', dir);
  const client = await PouchChild.start('client.js', dir);
  try {
    const ids = itemIds(options.n);
    // The same documents as the halsync server's store (server.ts seeds with random(7)).
    const seed = random(7);
    await server.ask({ op: 'write', changes: ids.map((id) => ({ id, data: itemData(seed, 0) })) });
    const plan = phaseBPlan(options.n, options.k, Math.round(options.k / 10), Math.round(options.k / 10));
    const figures: PouchPhaseFigures[] = [];
    for (const phase of options.phases) {
      if (phase === 'B') {
        const edits = (change: Array<[number, number]>, remove: [number, number], next: () => number, revision: number) => [
          ...change.flatMap((range) => ids.slice(...range)).map((id) => ({ id, data: itemData(next, revision) as Json })),
          ...ids.slice(...remove).map((id) => ({ id, data: null })),
        ];
        await client.ask({ op: 'write', changes: edits([plan.localOnly, plan.both], plan.localDeletes, random(11), 1) });
        await server.ask({ op: 'write', changes: edits([plan.remoteOnly, plan.both], plan.remoteDeletes, random(13), 2) });
      }
      await Promise.all([client.ask({ op: 'reset-peak' }), server.ask({ op: 'reset-peak' })]);
      const before = await Promise.all([client.ask({ op: 'stats' }), server.ask({ op: 'stats' })]);
      const run = (await client.ask({ op: 'sync', url: server.url })) as { ms: number; pulled: number; pushed: number };
      const after = await Promise.all([client.ask({ op: 'stats' }), server.ask({ op: 'stats' })]);
      const [c0, s0] = before as [PouchStats, PouchStats];
      const [c1, s1] = after as [PouchStats, PouchStats];
      const cpu = (a: PouchStats, b: PouchStats) => (b.cpu.user + b.cpu.system - a.cpu.user - a.cpu.system) / 1000;
      figures.push({
        phase,
        wallMs: run.ms,
        cpuMs: { client: cpu(c0, c1), server: cpu(s0, s1) },
        requests: s1.requests! - s0.requests!,
        bytesUp: s1.bytesIn! - s0.bytesIn!,
        bytesDown: s1.bytesOut! - s0.bytesOut!,
        pulled: run.pulled,
        pushed: run.pushed,
        conflicts: phase === 'B' ? ((await client.ask({ op: 'conflicts' })) as { conflicts: number }).conflicts : 0,
        peakRss: { client: c1.rss, server: s1.rss },
      });
    }
    return figures;
  } finally {
    await Promise.all([client.exit(), server.exit()]);
    await rm(dir, { recursive: true, force: true });
  }
}

class PouchChild {
  private constructor(
    private readonly process: ChildProcess,
    readonly url: string,
  ) {}

  static async start(script: string, cwd: string): Promise<PouchChild> {
    const child = fork(join(PACKAGE, script), [], { cwd, stdio: 'inherit' });
    if (script === 'client.js') return new PouchChild(child, '');
    const ready = await new Promise<{ url: string }>((resolve, reject) => {
      child.once('message', (message) => resolve(message as { url: string }));
      child.once('exit', (code) => reject(new Error(`bench/pouchdb/${script} exited (${code}) before it was ready`)));
    });
    return new PouchChild(child, ready.url);
  }

  ask(request: Record<string, unknown>): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.process.once('message', (reply: { ok: boolean; error?: string }) =>
        reply.ok ? resolve(reply) : reject(new Error(`PouchDB ${request.op}: ${reply.error}`)),
      );
      this.process.send(request);
    });
  }

  async exit(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.send({ op: 'exit' });
    await exited;
  }
}
