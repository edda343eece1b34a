import { expect } from 'chai';
import { runNodes } from './nodes.js';
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
    const [a, b, c] = await runNodes({ n: 200, k: 20, phases: ['A', 'B', 'C'] });
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
  });
});
