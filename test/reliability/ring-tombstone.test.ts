import { expect } from 'chai';
import type { Checkpoints, CheckpointPair } from '../../lib/client/checkpoints.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { sync } from '../../lib/client/sync.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { EPOCH_MS, Model } from './model.js';

/**
 * The counterexample of the topology property under HALSYNC_SEED=870868769, replayed on the
 * real engine over local stores. A 6-node ring; node 0 puts {v:0} and, after syncing it to node
 * 5, deletes it in the same millisecond. The tombstone is a later edit of the live version, so
 * every one-side copy of it is right; but the live version has the greater fingerprint, so where
 * the two meet as "both changed" (node 5's live copy reached node 4 first) the live one wins,
 * and from there it travels as news too. The two then chase each other round the ring: the
 * state repeats every 5 rounds and never settles. DESIGN §3's two rules disagree here (the
 * one-side copy goes down the total order), so convergence needs a design decision: see the
 * pending test.
 */
const ITEM = '00000000-0000-4000-8000-000000000002';
const RING: ReadonlyArray<readonly [number, number]> = [
  [0, 1],
  [1, 2],
  [2, 3],
  [3, 4],
  [4, 5],
  [0, 5],
];

async function engineRing(rounds: number): Promise<string[][]> {
  const stores = Array.from({ length: 6 }, () => new MemoryStore());
  const pairs = new Map<string, Record<number, string>>();
  const checkpoints = (local: number, remote: number): Checkpoints => ({
    load: async () => {
      const saved = pairs.get(`${local}:${remote}`);
      return saved ? { local: saved[local]!, remote: saved[remote]! } : null;
    },
    save: async (pair: CheckpointPair) => void pairs.set(`${local}:${remote}`, { [local]: pair.local, [remote]: pair.remote }),
  });
  const run = (l: number, r: number) =>
    sync(new StoreReplica(stores[l]!, 'items'), new StoreReplica(stores[r]!, 'items'), {
      checkpoints: checkpoints(l, r),
      prefer: 'fingerprint',
      skewMs: 1000,
      backoffMs: 1,
    });
  const write = (data: Json | null) =>
    stores[0]!.apply(
      'items',
      [{ itemId: ITEM, data, deleted: data === null, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } }],
      { now: () => new Date(EPOCH_MS) },
    );
  await write({ v: 0 });
  await run(0, 5);
  await write(null);
  const states: string[][] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [a, b] of RING) await run(a, b);
    states.push(
      await Promise.all(
        stores.map(async (store) => {
          const [entry] = (await store.changes('items', { limit: 10, withData: false })).entries;
          return entry ? (entry.deleted ? 'deleted' : 'live') : 'absent';
        }),
      ),
    );
  }
  return states;
}

function modelRing(rounds: number): string[][] {
  const m = new Model(6);
  const options = { prefer: 'fingerprint' as const, skewMs: 1000 };
  m.write(0, ITEM, { v: 0 }, 0);
  m.sync(0, 5, options);
  m.write(0, ITEM, undefined, 0);
  const states: string[][] = [];
  for (let round = 0; round < rounds; round++) {
    for (const [a, b] of RING) m.sync(a, b, options);
    states.push(m.nodes.map((node) => (node.get(ITEM) ? (node.get(ITEM)!.deleted ? 'deleted' : 'live') : 'absent')));
  }
  return states;
}

describe('reliability: a 6-node ring, a put and its delete in one millisecond (seed 870868769)', () => {
  it('the engine goes through exactly the states the model predicts, round by round', async () => {
    expect(fingerprint({ v: 0 }) > fingerprint(null), 'the live version is the greater in the bucket').to.equal(true);
    expect(await engineRing(12)).to.deep.equal(modelRing(12));
  });

  // Pending until DESIGN §3 settles which rule gives way (see the comment at the top): today
  // both the engine and the model rotate with a period of 5 rounds.
  it('converges after enough rounds');
});
