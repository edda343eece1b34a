import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Cluster } from './cluster.js';
import { describeHistory, historyArbitrary, runModel } from './model.js';

/**
 * Random histories of writes and syncs on 3 to 5 real nodes, then a spanning path: every node
 * must hold exactly what the reference model predicts (and so the same set as every other).
 */

const RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200);
const SEED = Number(process.env['HALSYNC_SEED'] ?? Date.now() % 2 ** 31);

describe('reliability: convergence of real nodes under any history', function () {
  this.timeout(600_000);

  it(`every node ends where the model says (seed ${SEED}, ${RUNS} histories)`, async () => {
    // eslint-disable-next-line no-console
    console.log(`      convergence: seed ${SEED} (HALSYNC_SEED to replay), ${RUNS} histories (HALSYNC_PROPERTY_RUNS)`);
    await fc.assert(
      fc.asyncProperty(historyArbitrary({ maxOperations: 16 }), async (history) => {
        const cluster = await Cluster.start(history.nodes);
        try {
          await cluster.run(history);
          const model = runModel(history);
          for (let n = 0; n < history.nodes; n++) {
            assert.deepEqual(await cluster.snapshot(n), model.snapshot(n), `node ${n} differs from the model after\n${describeHistory(history)}`);
          }
        } finally {
          await cluster.close();
        }
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });
});
