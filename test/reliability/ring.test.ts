import { expect } from 'chai';
import { syncNodes } from '../../lib/client/connect.js';
import { startNode, type StartedNode } from '../support/server.js';
import { request } from '../support/http.js';
import { stateFile, versions } from '../support/sync.js';

/**
 * Issue 12 #1, as reported: one item edited on A, B and C in the same second, then only
 * `sync A B`, `sync B C`, `sync C A`, again and again. Under the default rule the three agree
 * after one round and stay; under `prefer: 'remote'` the versions rotate (the documented
 * condition: prefer is safe only where each pair always syncs in the same orientation).
 */
describe('reliability: a ring of three nodes with same-second edits', () => {
  const nodes: StartedNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  async function ring(prefer: 'fingerprint' | 'remote'): Promise<string[]> {
    // Every node's clock in the same second, a few milliseconds apart.
    const started = await Promise.all([0, 1, 2].map((i) => startNode({ clock: () => new Date(Date.UTC(2026, 5, 1, 12, 0, 0, 100 + i * 7)) })));
    nodes.push(...started);
    const [a, b, c] = started as [StartedNode, StartedNode, StartedNode];
    const id = '00000000-0000-4000-8000-0000000000aa';
    for (const [node, by] of [
      [a, 'A'],
      [b, 'B'],
      [c, 'C'],
    ] as const) {
      const reply = await request(new URL(`items/${id}`, node.url).href, { method: 'PUT', body: { data: { by } } });
      expect(reply.status).to.equal(201);
    }
    const state = await stateFile();
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) {
      for (const [l, r] of [
        [a, b],
        [b, c],
        [c, a],
      ] as const)
        await syncNodes(l.url, r.url, { state, prefer });
      seen.push(JSON.stringify([await versions(a.store), await versions(b.store), await versions(c.store)]));
    }
    return seen;
  }

  it('converges after one round and stays converged under the default rule', async () => {
    const rounds = await ring('fingerprint');
    for (const round of rounds) {
      const [va, vb, vc] = JSON.parse(round) as unknown[];
      expect(va).to.deep.equal(vb);
      expect(vb).to.deep.equal(vc);
    }
    expect(new Set(rounds).size).to.equal(1);
  });

  it('rotates forever under prefer remote, as the docs warn', async () => {
    const rounds = await ring('remote');
    const last = JSON.parse(rounds.at(-1)!) as unknown[];
    expect(last[0]).to.not.deep.equal(last[1]);
    expect(new Set(rounds).size).to.be.above(1);
  });
});
