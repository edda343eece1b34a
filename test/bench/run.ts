import { runBench, type BenchResult, type PhaseFigures } from './scenario.js';

/**
 * `node dist/test/bench/run.js` — prints the benchmark's figures (see scenario.ts).
 *   BENCH_N       items on the server (default 10000)
 *   BENCH_K       items changed on each side in phase B (default 1000; K/10 conflicts and deletes)
 *   BENCH_PHASES  which phases, e.g. "A" for the N = 1,000,000 memory run (default A,B,C,C2)
 *   BENCH_FLOOR   0 to skip the floor (default: on when N ≤ 100000; it holds all N by design)
 *   BENCH_PAGE    log page size the client asks for (default: the client's)
 *   BENCH_SERVER_PROF  a directory for the server process's --cpu-prof profile
 *   BENCH_LOAD    seconds of log-read load per kind after the phases (default 3; 0: none)
 *   BENCH_JSON    1 to print the figures as one JSON object as well
 */
const n = integer('BENCH_N', 10_000);
const k = integer('BENCH_K', 1000);
const phases = (process.env.BENCH_PHASES ?? 'A,B,C,C2').split(',').map((p) => p.trim().toUpperCase());
for (const phase of phases) if (!['A', 'B', 'C', 'C2'].includes(phase)) fail(`BENCH_PHASES: unknown phase ${phase}`);
const floor = process.env.BENCH_FLOOR === undefined ? n <= 100_000 : process.env.BENCH_FLOOR !== '0';
const pageSize = process.env.BENCH_PAGE ? integer('BENCH_PAGE', 0) : undefined;

const result = await runBench({
  n,
  k,
  phases: phases as Array<'A' | 'B' | 'C' | 'C2'>,
  floor,
  ...(pageSize ? { pageSize } : {}),
  ...(process.env.BENCH_SERVER_PROF ? { serverProfileDir: process.env.BENCH_SERVER_PROF } : {}),
  loadSeconds: process.env.BENCH_LOAD === '0' ? 0 : integer('BENCH_LOAD', 3),
});
print(result);
if (process.env.BENCH_JSON === '1') console.log(JSON.stringify(result));

function print(result: BenchResult): void {
  const kib = (bytes: number) => (bytes / 1024).toFixed(0);
  const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(0);
  console.log(`halsync sync benchmark: N = ${result.n}, K = ${result.k}, node ${process.version}`);
  if (result.itemsJsonBytes) console.log(`items as one JSON array: ${kib(result.itemsJsonBytes)} KiB (their data alone: ${kib(result.dataJsonBytes)} KiB)`);
  const rows: PhaseFigures[] = [...(result.floor ? [result.floor] : []), ...result.phases];
  const header = [
    'phase',
    'wall ms',
    '×floor',
    'CPU ×floor',
    'client CPU ms',
    'server CPU ms',
    'requests',
    'up KiB',
    'down KiB',
    '×items JSON',
    'pulled',
    'pushed',
    'conflicts',
    'peak RSS client/server MiB',
    'peak heap client/server MiB',
  ];
  const table = rows.map((row) => [
    row.phase,
    row.wallMs.toFixed(0),
    result.floor ? (row.wallMs / result.floor.wallMs).toFixed(1) : '-',
    // Client and server CPU together: steadier than wall time on a shared machine.
    result.floor ? ((row.clientCpuMs + row.serverCpuMs) / (result.floor.clientCpuMs + result.floor.serverCpuMs)).toFixed(1) : '-',
    row.clientCpuMs.toFixed(0),
    row.serverCpuMs.toFixed(0),
    row.phase === 'floor' ? String(row.serverRequests) : `${row.requests}`,
    kib(row.bytesUp),
    kib(row.bytesDown),
    result.itemsJsonBytes ? ((row.bytesUp + row.bytesDown) / result.itemsJsonBytes).toFixed(2) : '-',
    String(row.pulled),
    String(row.pushed),
    String(row.conflicts),
    `${mib(row.clientPeak.rss)}/${mib(row.serverPeak.rss)}`,
    `${mib(row.clientPeak.heap)}/${mib(row.serverPeak.heap)}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of table) console.log(line(row));
  for (const run of result.load ?? []) {
    console.log(`load: ${run.name}: ${run.perSecond.toFixed(0)} req/s (${run.failed} failed), server CPU ${run.serverCpuPercent.toFixed(0)}% of a core`);
  }
  const maxRss = process.resourceUsage().maxRSS * 1024;
  console.log(`client process peak RSS over the whole run: ${mib(maxRss)} MiB`);
}

function integer(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1) fail(`${name} must be a positive integer, not ${text}`);
  return Number(text);
}

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}
