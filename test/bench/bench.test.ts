import { expect } from 'chai';
import { requirePostgres } from '../support/postgres.js';
import { dataWorkBound, measureDataWork } from './data-work.js';
import { runNodes } from './nodes.js';
import { runOverload } from './overload.js';
import { runBench } from './scenario.js';

/**
 * The benchmark at a small N, so CI proves it runs. Its assertions are the protocol's figures,
 * not timings: how many requests each phase makes and whether item data moves.
 */
describe('bench: the sync benchmark at N = 200, K = 20', () => {
  it('runs every phase; A pulls all in N/page + 4 requests, C and C2 move no item data in at most 4', async function () {
    this.timeout(60_000);
    const [n, k, pageSize] = [200, 20, 50];
    const result = await runBench({ n, k, pageSize, phases: ['A', 'B', 'C', 'C2'], floor: true });
    const [a, b, c, c2] = result.phases;
    expect(result.floor && result.floor.serverRequests === 1 && result.floorBytes > n * 150).to.be.ok;

    expect(a!.pulled).to.equal(n);
    expect(a!.pushed).to.equal(0);
    expect(a!.requests <= n / pageSize + 4, `phase A made ${a!.requests} requests`).to.be.ok;
    expect(a!.serverRequests).to.equal(a!.requests);

    // K on each side, K/10 on both (conflicts), K/10 deleted on each side: every one moves once.
    expect(b!.conflicts).to.equal(2);
    expect(b!.pulled + b!.pushed).to.equal(2 * k + 2 + 2 * 2);

    for (const noop of [c!, c2!]) {
      expect(noop.pulled + noop.pushed).to.equal(0);
      expect(noop.requests <= 4, `phase ${noop.phase} made ${noop.requests} requests`).to.be.ok;
      // No item data: the whole exchange is smaller than a tenth of the items' data.
      expect(noop.bytesUp + noop.bytesDown < result.floorBytes / 10, `phase ${noop.phase} moved ${noop.bytesUp + noop.bytesDown} bytes`).to.be.ok;
    }
  });
});

describe('bench: node↔node, `halsync sync A B` as its own process, at N = 200, K = 20', () => {
  it('A pulls all N into node A, B moves every change once, C moves nothing in at most 6 requests', async function () {
    this.timeout(60_000);
    const [a, b, c] = await runNodes({ n: 200, k: 20, phases: ['A', 'B', 'C'], noopPairs: 2 });
    expect(a!.pulled).to.equal(200);
    expect(a!.serverRequests).to.equal(a!.requests);
    expect(a!.cpuMs.sync, 'the sync process burned CPU, as read from /proc').to.be.greaterThan(0);
    expect(a!.peakRss.sync).to.be.greaterThan(0);
    expect(b!.conflicts).to.equal(2);
    expect(b!.pulled + b!.pushed).to.equal(2 * 20 + 2 + 2 * 2);
    expect(c!.pulled + c!.pushed).to.equal(0);
    expect(c!.requests).to.be.at.most(6);
    // Discovery and an empty log page on each of two nodes; the items' data alone is over 30 KB.
    expect(c!.bytesUp + c!.bytesDown).to.be.lessThan((200 * 150) / 4);
    // The side-by-side start-up: each no-op sync is checked to move nothing; it does all bare node does and more.
    expect(a!.startup, 'only phase C runs the no-op pairs').to.equal(undefined);
    expect(c!.startup!.pairs).to.equal(2);
    expect(c!.startup!.bareMs).to.be.greaterThan(0);
    expect(c!.startup!.syncMs).to.be.greaterThan(c!.startup!.bareMs);
  });
});

describe("bench: phase A's data work alone, at N = 200", () => {
  it('moves every version through the three parts, node A ending with each one sent, and bounds phase A by it', async function () {
    this.timeout(60_000);
    const work = await measureDataWork({ n: 200, pageSize: 50 });
    expect(work.versions).to.equal(200);
    for (const part of ['b', 'sync', 'a'] as const) expect(work.cpuMs[part], part).to.be.greaterThan(0);
    // Node A's part alone, or all three shared by the cores, whichever takes longer, after the start.
    const [b, sync, a] = [10, 20, 30];
    expect(dataWorkBound({ cpuMs: { b, sync, a }, versions: 200 }, 100, 2)).to.equal(130);
    expect(dataWorkBound({ cpuMs: { b, sync, a }, versions: 200 }, 100, 1)).to.equal(160);
  });
});

describe('bench: overload, `halsync serve` on PostgreSQL under 20 concurrent 1 MB PUTs with room for 4', function () {
  before(async function () {
    await requirePostgres(this, 'the overload bench');
  });

  it('answers every PUT 2xx or 503 with Retry-After, logs nothing, and still answers GET / afterwards', async function () {
    this.timeout(120_000);
    const runs = await runOverload({
      pg: process.env.HALSYNC_TEST_PG!,
      seconds: 1,
      concurrency: 20,
      bodyBytes: 1_000_000,
      serveArgs: ['--body-limit', String(1024 * 1024), '--max-in-flight-body', String(4 * 1024 * 1024)],
    });
    expect(runs.map((r) => r.kind)).to.deep.equal(['sync-log', 'item']);
    for (const run of runs) {
      expect(run.ok, run.kind).to.be.greaterThan(0);
      expect(run.unavailable, run.kind).to.be.greaterThan(0);
      expect(run.retryAfter, run.kind).to.equal(run.unavailable);
      expect(run.ok + run.unavailable, run.kind).to.equal(run.puts);
      expect({ other: run.other, noAnswer: run.noAnswer, logged: run.firstLogLines }, run.kind).to.deep.equal({ other: {}, noAnswer: {}, logged: [] });
      expect(run.peakRss, run.kind).to.be.greaterThan(0);
      expect([run.rootAfter, run.exitCode], run.kind).to.deep.equal([200, 0]);
    }
    // A sync log of new items, within the async threshold, and an item: 1 MB each.
    expect(runs[0]!.entries).to.be.within(900, 1000);
    expect(runs.every((r) => r.bodyBytes > 990_000 && r.bodyBytes <= 1_000_000)).to.equal(true);
  });
});
