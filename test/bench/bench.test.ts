import assert from 'node:assert/strict';
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
    assert.ok(result.floor && result.floor.serverRequests === 1 && result.itemsJsonBytes > n * 200);

    assert.equal(a!.pulled, n);
    assert.equal(a!.pushed, 0);
    assert.ok(a!.requests <= n / pageSize + 4, `phase A made ${a!.requests} requests`);
    assert.equal(a!.serverRequests, a!.requests);

    // K on each side, K/10 on both (conflicts), K/10 deleted on each side: every one moves once.
    assert.equal(b!.conflicts, 2);
    assert.equal(b!.pulled + b!.pushed, 2 * k + 2 + 2 * 2);

    for (const noop of [c!, c2!]) {
      assert.equal(noop.pulled + noop.pushed, 0);
      assert.ok(noop.requests <= 4, `phase ${noop.phase} made ${noop.requests} requests`);
      // No item data: the whole exchange is smaller than a tenth of the items' JSON.
      assert.ok(noop.bytesUp + noop.bytesDown < result.itemsJsonBytes / 10, `phase ${noop.phase} moved ${noop.bytesUp + noop.bytesDown} bytes`);
    }
  });
});
