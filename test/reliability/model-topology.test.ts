import { expect } from 'chai';
import fc from 'fast-check';
import type { Checkpoints, CheckpointPair } from '../../lib/client/checkpoints.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { sync } from '../../lib/client/sync.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { describeHistory, EPOCH_MS, isoAt, Model, runModel, storeSnapshot, topologyHistoryArbitrary, type Snapshot, type TopologyHistory } from './model.js';

/**
 * Convergence in any topology (DESIGN §3, issue 12 #1): chains, rings and meshes of 3 to 6
 * nodes, writes interleaved with syncs over random edges in random orientations, then rounds of
 * every edge in random orders. The default winner rule (skew buckets, then the greater
 * fingerprint) is one total order on versions, so every history must end converged; and the
 * real engine (on local stores) must end exactly where the reference model does.
 */
const SEED = Number(process.env['HALSYNC_SEED'] ?? Date.now() % 2 ** 31);
const MODEL_RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200) * 5;
const ENGINE_RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200);

/** The real engine over in-memory stores, playing a model history; checkpoints per pair, whichever side plays local. */
async function runEngine(history: TopologyHistory): Promise<Snapshot[][]> {
  const stores = Array.from({ length: history.nodes }, () => new MemoryStore());
  const pairs = new Map<string, Record<number, string>>();
  const checkpoints = (local: number, remote: number): Checkpoints => {
    const key = `${Math.min(local, remote)}:${Math.max(local, remote)}`;
    return {
      load: async () => {
        const saved = pairs.get(key);
        return saved ? { local: saved[local]!, remote: saved[remote]! } : null;
      },
      save: async (pair: CheckpointPair) => void pairs.set(key, { [local]: pair.local, [remote]: pair.remote }),
    };
  };
  for (const op of history.operations) {
    if (op.kind === 'sync') {
      const [l, r] = [new StoreReplica(stores[op.local]!, 'items'), new StoreReplica(stores[op.remote]!, 'items')];
      await sync(l, r, { checkpoints: checkpoints(op.local, op.remote), prefer: history.prefer, skewMs: history.skewMs, backoffMs: 1 });
      continue;
    }
    const data = op.kind === 'put' ? op.data : null;
    const write = {
      itemId: op.itemId,
      data,
      deleted: op.kind === 'delete',
      fingerprint: fingerprint(data),
      updatedAt: null,
      precondition: { kind: 'none' as const },
    };
    await stores[op.node]!.apply('items', [write], { now: () => new Date(EPOCH_MS + op.at) });
  }
  return Promise.all(stores.map((store) => storeSnapshot(store, 'items')));
}

function describe2(history: TopologyHistory): string {
  return `${history.topology.kind} ${JSON.stringify(history.topology.edges)}\n${describeHistory(history)}`;
}

describe('reliability model: convergence in any topology and orientation', function () {
  this.timeout(600_000);
  const seen = { chain: 0, ring: 0, mesh: 0 };

  it(`the model converges in every chain, ring and mesh (seed ${SEED}, ${MODEL_RUNS} histories)`, () => {
    console.log(
      `      topology: seed ${SEED} (HALSYNC_SEED to replay), ${MODEL_RUNS} model histories, ${ENGINE_RUNS} on the engine (HALSYNC_PROPERTY_RUNS / 5)`,
    );
    fc.assert(
      fc.property(topologyHistoryArbitrary(), (history) => {
        seen[history.topology.kind]++;
        const model = runModel(history);
        expect(model.converged(), `not converged after\n${describe2(history)}`).to.equal(true);
        // A fixed point: one more round of every edge changes nothing.
        const before = model.nodes.map((_, i) => JSON.stringify(model.snapshot(i)));
        for (const [a, b] of history.topology.edges) model.sync(b, a, history);
        expect(model.nodes.map((_, i) => JSON.stringify(model.snapshot(i)))).to.deep.equal(before);
      }),
      { seed: SEED, numRuns: MODEL_RUNS },
    );
    console.log(`      topology: ${seen.chain} chains, ${seen.ring} rings, ${seen.mesh} meshes`);
    expect(Math.min(seen.chain, seen.ring, seen.mesh)).to.be.above(0);
  });

  it(`the engine ends where the model does, on every node (seed ${SEED}, ${ENGINE_RUNS} histories)`, async () => {
    await fc.assert(
      fc.asyncProperty(topologyHistoryArbitrary(), async (history) => {
        const model = runModel(history);
        const engine = await runEngine(history);
        for (let n = 0; n < history.nodes; n++)
          expect(engine[n], `node ${n} differs from the model after\n${describe2(history)}`).to.deep.equal(model.snapshot(n));
      }),
      { seed: SEED, numRuns: ENGINE_RUNS },
    );
  });

  it('a ring with edits in one bucket: sync A B, B C, C A repeatedly converges under the default, and rotates forever under prefer remote', () => {
    const [A, B, C] = [0, 1, 2];
    const ring = (prefer: 'fingerprint' | 'remote') => {
      const m = new Model(3);
      for (const n of [A, B, C]) m.write(n, '00000000-0000-4000-8000-000000000001', { by: n }, 100 + n * 10);
      const states: string[] = [];
      for (let round = 0; round < 6; round++) {
        for (const [l, r] of [
          [A, B],
          [B, C],
          [C, A],
        ] as const)
          m.sync(l, r, { prefer, skewMs: 1000 });
        states.push(JSON.stringify(m.snapshot(A)));
      }
      return { m, states };
    };
    const fair = ring('fingerprint');
    expect(fair.m.converged()).to.equal(true);
    const rotating = ring('remote');
    expect(rotating.m.converged()).to.equal(false);
    expect(new Set(rotating.states).size).to.be.above(1);
    expect(isoAt(100)).to.equal('2026-01-01T00:00:00.100Z');
  });
});
