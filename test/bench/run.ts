import { runBench, type BenchResult, type LoadRun } from './scenario.js';
import { runCli, runNode, runNodes, type NodePhase, type NodePhaseFigures } from './nodes.js';
import { installPouch, runPouch, type PouchPhaseFigures } from './pouch.js';
import { benchPostgres, runOverload, type OverloadKindName, type OverloadRun } from './overload.js';
import { middle } from './middle.js';
import { dataWorkBound, measureDataWork, type DataWorkFigures } from './data-work.js';
import { availableParallelism } from 'node:os';
import { DEFAULT_MAX_IN_FLIGHT_BODY_BYTES } from '../../lib/server/http/body.js';

/**
 * `npm run bench` (`node dist/test/bench/run.js`) — the benchmark's figures, medians of
 * interleaved rounds: each round runs the floor and store↔node (scenario.ts), node↔node
 * (nodes.ts) with phase A's data work alone beside it (data-work.ts), and PouchDB (pouch.ts) one
 * after the other on the same data.
 *   BENCH_N       items (default 10000)
 *   BENCH_K       items changed on each side in phase B (default 1000; K/10 conflicts and deletes)
 *   BENCH_ROUNDS  interleaved rounds (default 3; 1 past N = 100000)
 *   BENCH_MODES   which runs: store,nodes,pouch,startup,load (default all; past N = 100000: nodes),
 *                 and overload (never by default: it needs PostgreSQL)
 *   BENCH_PHASES  store↔node phases, e.g. "A" (default A,B,C,C2); node↔node and PouchDB run
 *                 those of A,B,C among them
 *   BENCH_PAGE    log page size the store↔node client asks for (default: the client's)
 *   BENCH_SERVER_PROF  a directory for the store↔node server's --cpu-prof profile
 *   BENCH_PROF    a directory for CPU profiles of node↔node's three processes, per phase (first round)
 *   BENCH_LOAD    seconds of log-read load per kind (default 3)
 *   BENCH_OVERLOAD  seconds of PUTs per kind in the overload run (default 3)
 *   BENCH_OVERLOAD_KINDS  which PUTs: sync-log,item (default), sync-log-job (a log applied as a job after its 202; minutes)
 *   BENCH_OVERLOAD_HEAP  the overload node's V8 heap limit in MiB (--max-old-space-size; default V8's own)
 *   BENCH_PG      the PostgreSQL the overload run uses (else HALSYNC_TEST_PG, else
 *                 postgres://postgres@127.0.0.1:5432/test); it works in schemas of its own, dropped after
 *   BENCH_JSON    1 to print the figures as one JSON object as well
 * For the memory bound: `BENCH_N=1000000 BENCH_PHASES=A npm run bench` (node↔node, peak RSS of each process).
 */
const n = integer('BENCH_N', 10_000);
const k = integer('BENCH_K', 1000);
const huge = n > 100_000;
const rounds = integer('BENCH_ROUNDS', huge ? 1 : 3);
const modes = new Set((process.env.BENCH_MODES ?? (huge ? 'nodes' : 'store,nodes,pouch,startup,load')).split(',').map((m) => m.trim()));
for (const mode of modes) if (!['store', 'nodes', 'pouch', 'startup', 'load', 'overload'].includes(mode)) fail(`BENCH_MODES: unknown mode ${mode}`);
const phases = (process.env.BENCH_PHASES ?? 'A,B,C,C2').split(',').map((p) => p.trim().toUpperCase());
for (const phase of phases) if (!['A', 'B', 'C', 'C2'].includes(phase)) fail(`BENCH_PHASES: unknown phase ${phase}`);
const nodePhases = phases.filter((p): p is NodePhase => p === 'A' || p === 'B' || p === 'C');
const pageSize = process.env.BENCH_PAGE ? integer('BENCH_PAGE', 0) : undefined;
const loadSeconds = integer('BENCH_LOAD', 3);
const overloadSeconds = integer('BENCH_OVERLOAD', 3);
const overloadKinds = (process.env.BENCH_OVERLOAD_KINDS ?? 'sync-log,item').split(',').map((m) => m.trim()) as OverloadKindName[];
for (const kind of overloadKinds) if (!['sync-log', 'sync-log-job', 'item'].includes(kind)) fail(`BENCH_OVERLOAD_KINDS: unknown kind ${kind}`);
const overloadHeap = process.env.BENCH_OVERLOAD_HEAP ? integer('BENCH_OVERLOAD_HEAP', 0) : undefined;
// The figures of issue 12: 150 concurrent PUTs of a 10 MB body.
const OVERLOAD = { concurrency: 150, bodyBytes: 10_000_000 };

if (modes.has('pouch')) installPouch();

interface Round {
  store?: BenchResult;
  nodes?: NodePhaseFigures[];
  /** Phase A's data work alone (data-work.ts), beside node↔node's phase A. */
  dataWork?: DataWorkFigures;
  pouch?: PouchPhaseFigures[];
}
const all: Round[] = [];
// No-op syncs a round runs after phase C, each after a `node -e 0` (start-up mode with node↔node).
const NOOP_PAIRS = 5;
// Overload alone runs no rounds: it measures no sync.
const syncModes = [...modes].some((m) => m !== 'overload');
for (let round = 0; round < rounds && syncModes; round++) {
  const figures: Round = {};
  // The floor runs with store↔node, against its server; without store↔node, alone.
  if (modes.has('store') || !huge)
    figures.store = await runBench({
      n,
      k,
      phases: modes.has('store') ? (phases as Array<'A' | 'B' | 'C' | 'C2'>) : [],
      floor: !huge,
      ...(pageSize ? { pageSize } : {}),
      ...(process.env.BENCH_SERVER_PROF && round === 0 ? { serverProfileDir: process.env.BENCH_SERVER_PROF } : {}),
    });
  if (modes.has('nodes'))
    figures.nodes = await runNodes({
      n,
      k,
      phases: nodePhases,
      ...(modes.has('startup') ? { noopPairs: NOOP_PAIRS } : {}),
      ...(process.env.BENCH_PROF && round === 0 ? { profileDir: process.env.BENCH_PROF } : {}),
    });
  // Past N = 100000 the run is about memory; the data work would only double its time.
  if (modes.has('nodes') && nodePhases.includes('A') && !huge) figures.dataWork = await measureDataWork({ n });
  if (modes.has('pouch')) figures.pouch = await runPouch({ n, k, phases: nodePhases });
  all.push(figures);
  console.error(`bench: round ${round + 1} of ${rounds} done`);
}

const startup = modes.has('startup') ? await measureStartup() : undefined;
const load = modes.has('load') && !huge ? (await runBench({ n, k, phases: [], floor: false, loadSeconds })).load : undefined;
const overload = modes.has('overload')
  ? await runOverload({ pg: benchPostgres(), seconds: overloadSeconds, kinds: overloadKinds, ...OVERLOAD, ...(overloadHeap ? { heapMiB: overloadHeap } : {}) })
  : undefined;

const floor = all[0]?.store?.floor ? median(all.map((r) => r.store!.floor!)) : undefined;
const store = all[0]?.store?.phases.length ? all[0].store.phases.map((_, i) => median(all.map((r) => r.store!.phases[i]!))) : undefined;
const nodes = all[0]?.nodes ? all[0].nodes.map((_, i) => median(all.map((r) => r.nodes![i]!))) : undefined;
const dataWork = all[0]?.dataWork ? median(all.map((r) => r.dataWork!)) : undefined;
const pouch = all[0]?.pouch ? all[0].pouch.map((_, i) => median(all.map((r) => r.pouch![i]!))) : undefined;

console.log(
  syncModes
    ? `halsync benchmark: N = ${n}, K = ${k}, ${rounds} interleaved round(s), medians; node ${process.version}`
    : `halsync benchmark; node ${process.version}`,
);
if (floor) {
  console.log(
    `floor: one GET of the ${n} documents' data as one JSON array (${kib(all[0]!.store!.floorBytes)} KiB), keep-alive, parsed: ${floor.wallMs.toFixed(1)} ms` +
      ` (client ${floor.clientCpuMs.toFixed(0)} ms + server ${floor.serverCpuMs.toFixed(0)} ms CPU)`,
  );
}
const ratio = (ms: number) => (floor ? `${(ms / floor.wallMs).toFixed(1)}×` : '-');
// CPU of every process taking part beside the floor's (its client and server): steadier than wall
// time on a shared machine, where a process waiting for a core counts in its wall time.
const floorCpu = floor ? floor.clientCpuMs + floor.serverCpuMs : NaN;
const cpuRatio = (ms: number) => (floor ? `${(ms / floorCpu).toFixed(1)}×` : '-');
const nodesCpu = (p: NodePhaseFigures) => p.cpuMs.sync + p.cpuMs.a + p.cpuMs.b;
if (nodes) {
  console.log('\nnode↔node: `halsync sync A B --json` as its own process, both nodes on SQLite');
  table(
    [
      'phase',
      'process wall ms',
      '×floor',
      'sync ms',
      '×floor',
      'CPU sync/A/B ms',
      'CPU ×floor',
      'requests',
      'up KiB',
      'down KiB',
      'pulled',
      'pushed',
      'conflicts',
      'peak RSS sync/A/B MiB',
    ],
    nodes.map((p) => [
      p.phase,
      p.wallMs.toFixed(0),
      ratio(p.wallMs),
      p.syncMs.toFixed(0),
      ratio(p.syncMs),
      `${p.cpuMs.sync.toFixed(0)}/${p.cpuMs.a.toFixed(0)}/${p.cpuMs.b.toFixed(0)}`,
      cpuRatio(nodesCpu(p)),
      `${p.requests} (${p.serverRequests})`,
      kib(p.bytesUp),
      kib(p.bytesDown),
      String(p.pulled),
      String(p.pushed),
      String(p.conflicts),
      `${mib(p.peakRss.sync)}/${mib(p.peakRss.a)}/${mib(p.peakRss.b)}`,
    ]),
  );
}
/** The columns of a run with one client and one server process (PouchDB's, store↔node's). */
const CLIENT_SERVER_COLUMNS = [
  'phase',
  'wall ms',
  '×floor',
  'CPU client/server ms',
  'CPU ×floor',
  'requests',
  'up KiB',
  'down KiB',
  'pulled',
  'pushed',
  'conflicts',
  'peak RSS client/server MiB',
];

/** What a client/server row shows of a phase: PouchDB's figures and store↔node's have these alike. */
type ClientServerPhase = Pick<PouchPhaseFigures, 'wallMs' | 'requests' | 'bytesUp' | 'bytesDown' | 'pulled' | 'pushed' | 'conflicts'> & { phase: string };

function clientServerRow(p: ClientServerPhase, clientCpu: number, serverCpu: number, clientRss: number, serverRss: number): string[] {
  return [
    p.phase,
    p.wallMs.toFixed(0),
    ratio(p.wallMs),
    `${clientCpu.toFixed(0)}/${serverCpu.toFixed(0)}`,
    cpuRatio(clientCpu + serverCpu),
    String(p.requests),
    kib(p.bytesUp),
    kib(p.bytesDown),
    String(p.pulled),
    String(p.pushed),
    String(p.conflicts),
    `${mib(clientRss)}/${mib(serverRss)}`,
  ];
}

if (nodes && dataWork) printDataWork(nodes, dataWork);
if (pouch) {
  console.log('\nPouchDB 9: a memory PouchDB syncing with express-pouchdb (memory), same data and phases');
  table(
    [...CLIENT_SERVER_COLUMNS, 'PouchDB ÷ halsync: wall (÷ sync ms), CPU'],
    pouch.map((p, i) => [
      ...clientServerRow(p, p.cpuMs.client, p.cpuMs.server, p.peakRss.client, p.peakRss.server),
      nodes?.[i]
        ? `${(p.wallMs / nodes[i].wallMs).toFixed(1)}× (${(p.wallMs / nodes[i].syncMs).toFixed(1)}×), ${((p.cpuMs.client + p.cpuMs.server) / nodesCpu(nodes[i])).toFixed(1)}×`
        : '-',
    ]),
  );
}
if (store) {
  console.log('\nstore↔node: syncStore in this process (SQLite) with a node on SQLite (a child process)');
  table(
    CLIENT_SERVER_COLUMNS,
    store.map((p) => clientServerRow(p, p.clientCpuMs, p.serverCpuMs, p.clientPeak.rss, p.serverPeak.rss)),
  );
}
const noop = nodes?.find((p) => p.phase === 'C');
if (startup) {
  console.log(
    `\nstart-up (median of ${startup.runs}): node -e 0 ${startup.bare.toFixed(0)} ms; halsync --version ${startup.version.toFixed(0)} ms (${(startup.version / startup.bare).toFixed(1)}×)` +
      (noop ? `; halsync sync A B, no-op (phase C) ${noop.wallMs.toFixed(0)} ms (${(noop.wallMs / startup.bare).toFixed(1)}×)` : ''),
  );
  if (noop?.startup) {
    const { pairs, bareMs, syncMs } = noop.startup;
    console.log(
      `  side by side (after phase C, ${pairs} alternations a round, medians): node -e 0 ${bareMs.toFixed(0)} ms, the no-op sync ${syncMs.toFixed(0)} ms (${(syncMs / bareMs).toFixed(2)}×)`,
    );
  }
}
if (load) printLoad(load);
if (overload) printOverload(overload);
if (process.env.BENCH_JSON === '1') console.log(JSON.stringify({ n, k, rounds, floor, nodes, dataWork, pouch, store, startup, load, overload, all }));

/** The command's start-up beside bare node's, interleaved. */
async function measureStartup(): Promise<{ runs: number; bare: number; version: number }> {
  const bare: number[] = [];
  const version: number[] = [];
  for (let i = 0; i < 7; i++) {
    bare.push((await runNode(['-e', '0'])).wallMs);
    version.push((await runCli(['--version'])).wallMs);
  }
  return { runs: 7, bare: middle(bare), version: middle(version) };
}

/**
 * Phase A's data work beside phase A: how much of the phase's CPU is the data moving, and the
 * least wall time the phase could take were everything else free.
 */
function printDataWork(phases: NodePhaseFigures[], work: DataWorkFigures): void {
  const [a, noop] = [phases.find((p) => p.phase === 'A')!, phases.find((p) => p.phase === 'C')];
  const { b, sync, a: nodeA } = work.cpuMs;
  const total = b + sync + nodeA;
  // The command's start is in phase A's CPU and not in the data work's: take the no-op's out.
  const phaseCpu = nodesCpu(a) - (noop?.cpuMs.sync ?? 0);
  console.log(
    `\nphase A's data work alone, each part once in a fresh process (no HTTP, HAL, schema or plan), CPU: node B ${b.toFixed(0)} ms (read, serialise, gzip),` +
      ` the command ${sync.toFixed(0)} ms (gunzip, parse, check every fingerprint, serialise, gzip), node A ${nodeA.toFixed(0)} ms (gunzip, parse, check every fingerprint, write)` +
      `: ${total.toFixed(0)} ms, ${((100 * total) / phaseCpu).toFixed(0)}% of phase A's ${phaseCpu.toFixed(0)} ms` +
      (noop
        ? ` (the no-op's ${noop.cpuMs.sync.toFixed(0)} ms of the command's start left out)`
        : " (the command's start in it: phase C's no-op would tell it)"),
  );
  if (!noop) return;
  const startAndExit = noop.wallMs - noop.syncMs;
  const cores = availableParallelism();
  const bound = dataWorkBound(work, startAndExit, cores);
  console.log(
    `  the least phase A could take were all else free: the command's start and exit (phase C's wall less its sync ms) ${startAndExit.toFixed(0)} ms` +
      ` + node A's part or all three on ${cores} cores, the longer, ${(bound - startAndExit).toFixed(0)} ms = ${bound.toFixed(0)} ms (${ratio(bound)} floor)`,
  );
}

function printLoad(runs: LoadRun[]): void {
  console.log(`\nlog reads under load (${loadSeconds} s each, 16 keep-alive connections):`);
  // Requests per second of the server's CPU: what a core serves, whatever else the machine runs.
  const perCpu = (run: LoadRun) => (100 * run.perSecond) / run.serverCpuPercent;
  for (const run of runs) {
    console.log(
      `  ${run.name}: ${run.perSecond.toFixed(0)} req/s (${run.failed} failed), server CPU ${run.serverCpuPercent.toFixed(0)}% of a core, ${perCpu(run).toFixed(0)} req per CPU-second`,
    );
  }
  const find = (name: string) => runs.find((r) => r.name.includes(name))!;
  for (const coding of ['gzip', 'identity']) {
    const [node, koa] = [find(`with data, ${coding}`), find(`memory, ${coding}`)];
    console.log(
      `  node ÷ bare Koa, 1000-entry page, ${coding}: ${((100 * node.perSecond) / koa.perSecond).toFixed(0)}% of its req/s, ${((100 * perCpu(node)) / perCpu(koa)).toFixed(0)}% of its req per CPU-second`,
    );
  }
}

function printOverload(runs: OverloadRun[]): void {
  console.log(
    `\noverload: \`halsync serve\` on PostgreSQL, default limits (in-flight bodies ${mib(DEFAULT_MAX_IN_FLIGHT_BODY_BYTES)} MiB), ${OVERLOAD.concurrency} concurrent PUTs of a ${(OVERLOAD.bodyBytes / 1e6).toFixed(0)} MB body, each re-sent once answered, ${overloadSeconds} s a kind` +
      (overloadHeap ? `; the node's V8 heap limited to ${overloadHeap} MiB` : ''),
  );
  table(
    ['PUT', 'body', 'PUTs', '2xx', '503 (Retry-After)', '413', 'other', 'no answer', 'up MiB', 'peak RSS MiB', 'log lines (stack)', 'GET / after'],
    runs.map((r) => [
      r.kind,
      r.entries > 0 ? `${(r.bodyBytes / 1e6).toFixed(1)} MB, ${r.entries} entries` : `${(r.bodyBytes / 1e6).toFixed(1)} MB`,
      String(r.puts),
      String(r.ok),
      `${r.unavailable} (${r.retryAfter})`,
      String(r.tooLarge),
      Object.entries(r.other)
        .map(([status, count]) => `${count}×${status}`)
        .join(' ') || '0',
      Object.entries(r.noAnswer)
        .map(([code, count]) => `${count}×${code}`)
        .join(' ') || '0',
      mib(r.uploadBytes),
      mib(r.peakRss),
      `${r.logLines} (${r.stackLines})`,
      r.rootAfter === 0 ? 'no answer' : String(r.rootAfter),
    ]),
  );
  for (const r of runs) {
    const other5xx = Object.keys(r.other).filter((status) => Number(status) >= 500);
    console.log(
      `  ${r.kind}: ${r.seconds.toFixed(1)} s; 5xx other than 503: ${other5xx.length === 0 ? 'none' : other5xx.join(', ')}; the node ${r.exitCode === 0 ? 'stopped cleanly' : `exited ${r.exitCode}`}` +
        (r.firstLogLines.length > 0 ? `; it logged first: ${JSON.stringify(r.firstLogLines.slice(0, 2))}` : ''),
    );
  }
}

/** The median of each number in objects of one shape (each field on its own). */
function median<T>(rows: T[]): T {
  const first = rows[0] as unknown;
  if (typeof first === 'number') return middle(rows as number[]) as T;
  if (first === null || typeof first !== 'object') return first as T;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(first)) out[key] = median(rows.map((row) => (row as Record<string, unknown>)[key]));
  return out as T;
}

function table(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const row of rows) console.log(line(row));
}

function kib(bytes: number): string {
  return (bytes / 1024).toFixed(0);
}

function mib(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(0);
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
