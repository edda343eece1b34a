import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_LIMIT } from '../../lib/server/resources/log.js';
import type { PartResult } from './data-work-part.js';
import { seedServer } from './scenario.js';

/**
 * Phase A's data work alone: what moving N versions from node B's SQLite to node A's costs with
 * no protocol around it — no HTTP, no HAL, no schema, no plan — but with every step DESIGN keeps:
 * B reads the versions and serialises and gzips its pages; the command gunzips, parses and checks
 * every fingerprint (§6), then serialises and gzips them as sync logs (§8 gzips uploads); A
 * gunzips, parses, checks every fingerprint again and writes each log in one transaction. Each
 * part runs once, in a fresh process of its own (test/bench/data-work-part.ts), as cold as the
 * process it stands for. Set beside phase A's figures, it says how much of them is the data
 * moving and how much is everything else.
 */

const PART_SCRIPT = fileURLToPath(new URL('./data-work-part.js', import.meta.url));

export interface DataWorkFigures {
  /** CPU of each part: node B's, the command's, node A's. */
  cpuMs: { b: number; sync: number; a: number };
  versions: number;
}

export async function measureDataWork(options: { n: number; pageSize?: number }): Promise<DataWorkFigures> {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-bench-data-'));
  try {
    await seedServer(join(dir, 'b.db'), options.n);
    await Promise.all([mkdir(join(dir, 'pages')), mkdir(join(dir, 'logs'))]);
    const b = await runPart(['b', dir, String(options.pageSize ?? DEFAULT_LIMIT)]);
    const sync = await runPart(['sync', dir, String(b.pages)]);
    const a = await runPart(['a', dir, String(b.pages)]);
    for (const [name, result] of Object.entries({ b, sync, a })) {
      if (result.versions !== options.n) throw new Error(`data work: part ${name} handled ${result.versions} of ${options.n} versions`);
    }
    return { cpuMs: { b: b.cpuMs, sync: sync.cpuMs, a: a.cpuMs }, versions: options.n };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The least wall time phase A could take were the protocol free: the command's start and exit,
 * then the data work, which cannot finish before node A has done its part (one process) nor
 * before the machine's cores have done all three.
 */
export function dataWorkBound(work: DataWorkFigures, startAndExitMs: number, cores = availableParallelism()): number {
  const { b, sync, a } = work.cpuMs;
  return startAndExitMs + Math.max(a, (b + sync + a) / cores);
}

async function runPart(args: string[]): Promise<PartResult & { pages: number }> {
  const child = fork(PART_SCRIPT, args, { stdio: 'inherit' });
  let message: unknown;
  child.on('message', (m) => (message = m));
  // 'close' comes once the process has exited and its IPC channel is drained: its answer is in.
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('close', resolve);
    child.once('error', reject);
  });
  if (code !== 0 || message === undefined) throw new Error(`data work: part ${args[0]} failed (exit ${code})`);
  return message as PartResult & { pages: number };
}
