import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../lib/store/open.js';
import type { Store } from '../../lib/store/store.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { Cluster } from './cluster.js';
import { describeHistory, historyArbitrary, runModel } from './model.js';
import { TEST_SEED, testSeed } from '../support/random.js';

/**
 * Random histories of writes and syncs on 3 to 5 real nodes, then a spanning path: every node
 * must hold exactly what the reference model predicts (and so the same set as every other).
 * On memory stores at length; a few histories again on SQLite files and PostgreSQL schemas.
 */

const RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200);
const STORE_RUNS = Number(process.env['HALSYNC_STORE_PROPERTY_RUNS'] ?? 10);
// Each PostgreSQL node creates (and drops) a schema: a tenth of a second or more apiece.
const PG_RUNS = Math.ceil(STORE_RUNS / 2);

/** Stores for one history's nodes, and what to remove once it has run. */
interface StoreFactory {
  open(): Promise<Store>;
  dispose(): Promise<void>;
}

async function converges(runs: number, stores?: () => Promise<StoreFactory>): Promise<void> {
  await fc.assert(
    fc.asyncProperty(historyArbitrary({ maxOperations: 16 }), async (history) => {
      const factory = await stores?.();
      try {
        const cluster = await Cluster.start(history.nodes, factory?.open);
        try {
          await cluster.run(history);
          const model = runModel(history);
          for (let n = 0; n < history.nodes; n++) {
            expect(await cluster.snapshot(n), `node ${n} differs from the model after\n${describeHistory(history)}`).to.deep.equal(model.snapshot(n));
          }
        } finally {
          await cluster.close();
        }
      } finally {
        await factory?.dispose();
      }
    }),
    { seed: TEST_SEED, numRuns: runs },
  );
}

describe('reliability: convergence of real nodes under any history', function () {
  this.timeout(600_000);

  it(`every node ends where the model says (${RUNS} histories)`, async () => {
    testSeed(`convergence, ${RUNS} histories (HALSYNC_PROPERTY_RUNS)`);
    await converges(RUNS);
  });

  it(`on SQLite files too (${STORE_RUNS} histories, HALSYNC_STORE_PROPERTY_RUNS)`, async () => {
    await converges(STORE_RUNS, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'halsync-convergence-'));
      let n = 0;
      return { open: () => openStore(`sqlite:${join(dir, `node${++n}.db`)}`), dispose: () => rm(dir, { recursive: true, force: true }) };
    });
  });

  it(`on PostgreSQL too (${PG_RUNS} histories, one schema per node)`, async function () {
    await requirePostgres(this, 'convergence on PostgreSQL');
    await converges(PG_RUNS, async () => {
      const schemas: Array<ReturnType<typeof testSchema>> = [];
      return {
        open: () => openStore(schemas[schemas.push(testSchema()) - 1]!.url),
        dispose: async () => void (await Promise.all(schemas.map((s) => s.drop()))),
      };
    });
  });
});
