import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { startFaultProxy, FAULT_POINTS, type FaultPoint, type FaultProxy } from '../support/fault-proxy.js';
import { Cluster } from './cluster.js';
import { ITEM_IDS, type History, type Operation } from './model.js';
import { testSeed } from '../support/random.js';

/**
 * A node↔node sync through fault proxies, cut at each point of the protocol, then run again
 * without faults: both nodes must end exactly as a twin pair synced cleanly — nothing lost,
 * nothing applied twice (same high water), nothing stuck (a further sync moves nothing).
 */

const [X, Y, Z] = ITEM_IDS;
const W = '00000000-0000-4000-8000-000000000004';
const V = '00000000-0000-4000-8000-000000000005';
const policy: Pick<History, 'prefer' | 'skewMs'> = { prefer: 'remote', skewMs: 1000 };

/** Both sides hold things to push, to pull, to settle by time and by preference, and tombstones. */
const SETUP: Operation[] = [
  { kind: 'put', node: 0, itemId: X, data: { v: 'a-only' }, at: 0 },
  { kind: 'put', node: 1, itemId: Y, data: { v: 'b-only' }, at: 0 },
  { kind: 'put', node: 0, itemId: Z, data: { v: 'a-old' }, at: 0 },
  { kind: 'put', node: 1, itemId: Z, data: { v: 'b-new' }, at: 3200 },
  { kind: 'put', node: 0, itemId: W, data: { v: 'a-close' }, at: 400 },
  { kind: 'put', node: 1, itemId: W, data: { v: 'b-close' }, at: 800 },
  { kind: 'put', node: 0, itemId: V, data: { v: 'doomed' }, at: 0 },
  { kind: 'delete', node: 0, itemId: V, at: 1600 },
];

interface Pair {
  cluster: Cluster;
  proxies: FaultProxy[];
}

async function pair(): Promise<Pair> {
  const cluster = await Cluster.start(2);
  for (const op of SETUP) if (op.kind !== 'sync') await cluster.write(op);
  const proxies = await Promise.all(cluster.nodes.map((n) => startFaultProxy(n.url)));
  return { cluster, proxies };
}

async function closePair(p: Pair): Promise<void> {
  await Promise.all(p.proxies.map((proxy) => proxy.close()));
  await p.cluster.close();
}

/** Syncs node 0 (local) with node 1 through their proxies, each attempt on a fresh client. */
async function syncThrough(p: Pair): Promise<Error | null> {
  const http = new HttpClient({ timeoutMs: 5000 });
  try {
    await p.cluster.sync(0, 1, policy, http, (n) => `${p.proxies[n]!.url}/`);
    return null;
  } catch (error) {
    return error as Error;
  } finally {
    http.close();
  }
}

async function state(cluster: Cluster): Promise<unknown> {
  return Promise.all(cluster.nodes.map(async (n, i) => ({ items: await cluster.snapshot(i), highWater: await n.store.highWater() })));
}

describe('reliability: a sync cut by the network, run again, ends as a clean one', function () {
  this.timeout(120_000);
  let expected: unknown;

  before(async () => {
    const twin = await pair();
    try {
      expect(await syncThrough(twin)).to.equal(null);
      expected = await state(twin.cluster);
    } finally {
      await closePair(twin);
    }
  });

  const cases: Array<{ point: FaultPoint; node: 0 | 1; request: RegExp; what: string }> = [];
  for (const point of FAULT_POINTS) {
    cases.push({ point, node: 1, request: /^PUT \S*transactions/, what: 'the push to the remote (Step 3)' });
    cases.push({ point, node: 0, request: /^PUT \S*transactions/, what: 'the pull into the local node (Step 4)' });
    cases.push({ point, node: 1, request: /^GET \S*transactions/, what: "the remote's log (Step 1)" });
  }
  // Step 2 fetches no item here: the client asks for the logs with embedded data.

  for (const c of cases) {
    it(`${c.point} on ${c.what}`, async () => {
      const p = await pair();
      try {
        p.proxies[c.node]!.failNext({ at: c.point, match: (head) => c.request.test(head) });
        const failure = await syncThrough(p);
        expect(p.proxies[c.node]!.faults.length, 'the fault happened').to.equal(1);
        expect(failure, 'the cut sync fails').to.be.ok;
        expect(await syncThrough(p), 'the rerun succeeds').to.equal(null);
        expect(await state(p.cluster)).to.deep.equal(expected);
        const again = await p.cluster.sync(0, 1, policy);
        expect([again.pulled, again.pushed], 'nothing stuck').to.deep.equal([0, 0]);
      } finally {
        await closePair(p);
      }
    });
  }

  it('random faults on both sides, for several seeds: reruns until one succeeds, then as clean', async () => {
    const base = testSeed('fault schedules');
    for (let run = 0; run < 8; run++) {
      const seed = (base + run) % 2 ** 31;
      const p = await pair();
      try {
        for (const proxy of p.proxies) proxy.randomFaults({ seed: seed * 31 + p.proxies.indexOf(proxy), probability: 0.3 });
        let failures = 0;
        while ((await syncThrough(p)) !== null) {
          failures++;
          // With each request cut at 0.3, a whole sync gets through rarely, and some schedules take
          // a hundred tries (HALSYNC_SEED=1852560263 needs more than 40): the bound only catches a stuck pair.
          expect(failures < 400, `seed ${seed}: no sync got through 400 times`).to.be.ok;
        }
        for (const proxy of p.proxies) proxy.clearFaults();
        expect(await syncThrough(p)).to.equal(null);
        expect(await state(p.cluster), `seed ${seed}, after ${failures} cut syncs`).to.deep.equal(expected);
      } finally {
        await closePair(p);
      }
    }
  });
});
