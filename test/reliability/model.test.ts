import { expect } from 'chai';
import fc from 'fast-check';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { historyArbitrary, isoAt, ITEM_IDS, Model, runModel, spanningPath, type History, type Operation } from './model.js';
import { testSeed } from '../support/random.js';

const [X, Y] = ITEM_IDS;
const remote = { prefer: 'remote' as const, skewMs: 1000 };
const local = { prefer: 'local' as const, skewMs: 1000 };

/** What node `n` holds of item X: [data, updatedAt, deleted], or null. */
function heldX(model: Model, n: number): [unknown, number, boolean] | null {
  const v = model.nodes[n]!.get(X);
  return v ? [v.data, v.updatedAt, v.deleted] : null;
}

describe('reliability model (DESIGN §3 by hand)', () => {
  it('copies a one-sided create, keeping its updatedAt', () => {
    const m = new Model(2);
    m.write(0, X, { v: 1 }, 400);
    m.sync(0, 1, remote);
    expect(heldX(m, 1)).to.deep.equal([{ v: 1 }, 400, false]);
    expect(m.nodes[1]!.get(X)!.fingerprint).to.equal(fingerprint({ v: 1 }));
  });

  it('does nothing for equal versions, even with different updatedAt', () => {
    const m = new Model(2);
    m.write(0, X, { v: 1 }, 0);
    m.write(1, X, { v: 1 }, 3200);
    m.sync(0, 1, remote);
    expect([heldX(m, 0), heldX(m, 1)]).to.deep.equal([
      [{ v: 1 }, 0, false],
      [{ v: 1 }, 3200, false],
    ]);
    expect([...m.nodes[0]!.get(X)!.changedSince], 'settled for the pair').to.deep.equal([]);
  });

  it('both changed, outside the window: the newer updatedAt wins, in either role', () => {
    for (const [l, r] of [
      [0, 1],
      [1, 0],
    ] as const) {
      const m = new Model(2);
      m.write(0, X, { v: 1 }, 0);
      m.write(1, X, { v: 2 }, 3200);
      m.sync(l, r, local);
      expect([heldX(m, 0), heldX(m, 1)]).to.deep.equal([
        [{ v: 2 }, 3200, false],
        [{ v: 2 }, 3200, false],
      ]);
    }
  });

  it('both changed, within the window (ties included): prefer decides', () => {
    for (const [at0, at1] of [
      [400, 800],
      [800, 400],
      [400, 400],
    ]) {
      const m1 = new Model(2);
      m1.write(0, X, { v: 1 }, at0);
      m1.write(1, X, { v: 2 }, at1);
      m1.sync(0, 1, remote);
      expect(heldX(m1, 0), 'prefer remote: node 1 (remote) wins').to.deep.equal([{ v: 2 }, at1, false]);
      const m2 = new Model(2);
      m2.write(0, X, { v: 1 }, at0);
      m2.write(1, X, { v: 2 }, at1);
      m2.sync(0, 1, local);
      expect(heldX(m2, 1), 'prefer local: node 0 (local) wins').to.deep.equal([{ v: 1 }, at0, false]);
    }
  });

  it('an edit after agreement is copied whatever its timestamp says', () => {
    const m = new Model(2);
    m.write(0, X, { v: 1 }, 3200);
    m.write(1, X, { v: 1 }, 0); // same content: they agree, each with its own updatedAt
    m.sync(0, 1, local);
    m.write(1, X, { v: 2 }, 0); // stamped 0 (never lower than its own previous 0)
    m.sync(0, 1, local);
    expect(heldX(m, 0)).to.deep.equal([{ v: 2 }, 0, false]);
  });

  it('a delete on one side and an edit on the other: the newer wins, tombstone or not', () => {
    const m = new Model(2);
    m.write(0, X, { v: 1 }, 0);
    m.sync(0, 1, remote);
    m.write(0, X, undefined, 3200); // delete, newer
    m.write(1, X, { v: 2 }, 400); // edit, older
    m.sync(0, 1, remote);
    expect([heldX(m, 0), heldX(m, 1)]).to.deep.equal([
      [null, 3200, true],
      [null, 3200, true],
    ]);
    expect(m.nodes[1]!.get(X)!.fingerprint).to.equal(fingerprint(null));

    const n = new Model(2);
    n.write(0, X, { v: 1 }, 0);
    n.sync(0, 1, remote);
    n.write(0, X, undefined, 400); // delete, older
    n.write(1, X, { v: 2 }, 3200); // edit, newer: revives
    n.sync(0, 1, remote);
    expect([heldX(n, 0), heldX(n, 1)]).to.deep.equal([
      [{ v: 2 }, 3200, false],
      [{ v: 2 }, 3200, false],
    ]);
  });

  it('copies a tombstone to a node that never had the item; a delete of nothing records nothing', () => {
    const m = new Model(3);
    m.write(0, X, { v: 1 }, 0);
    m.write(0, X, undefined, 400);
    m.write(2, Y, undefined, 400);
    m.sync(0, 1, remote);
    m.sync(2, 1, remote);
    expect(heldX(m, 1)).to.deep.equal([null, 400, true]);
    expect(m.nodes[1]!.has(Y)).to.equal(false);
    expect(m.nodes[2]!.has(Y)).to.equal(false);
  });

  it('direct writes never go back in time; rewriting the same data changes nothing', () => {
    const m = new Model(2);
    m.write(0, X, { v: 1 }, 1600);
    m.write(0, X, { v: 2 }, 400);
    expect(heldX(m, 0)).to.deep.equal([{ v: 2 }, 1600, false]);
    m.sync(0, 1, remote);
    m.write(1, X, { v: 2 }, 3200);
    expect(heldX(m, 1)).to.deep.equal([{ v: 2 }, 1600, false]);
    expect([...m.nodes[1]!.get(X)!.changedSince], 'nothing new for node 0').to.deep.equal([]);
  });

  it('changes travel A → B → C, and a pulled version is not news to where it came from', () => {
    const m = new Model(3);
    m.write(0, X, { v: 1 }, 0);
    m.sync(0, 1, remote);
    expect([...m.nodes[1]!.get(X)!.changedSince]).to.deep.equal([2]);
    m.write(2, X, { v: 2 }, 400); // within the window of node 0's version, but C only meets B
    m.sync(1, 2, local); // both changed for the pair (1,2); Δ = 400 ≤ 1000; prefer local: B's v1
    expect(heldX(m, 2)).to.deep.equal([{ v: 1 }, 0, false]);
    m.sync(0, 2, remote); // equal now: nothing
    expect([heldX(m, 0), heldX(m, 1), heldX(m, 2)]).to.deep.equal([
      [{ v: 1 }, 0, false],
      [{ v: 1 }, 0, false],
      [{ v: 1 }, 0, false],
    ]);
  });

  it('a three-node history worked out by hand', () => {
    // n0 creates X v1 @0; n1 creates X v2 @1600; n2 deletes what it does not have (nothing).
    // sync n0<->n1 (prefer remote): both changed, Δ 1600 > 1000 → n1's v2 @1600 on both.
    // n2 puts X v3 @800; sync n2<->n0: both changed (n0 pulled v2, news to n2), Δ 800 → prefer
    //   remote: n0's v2 @1600 wins, n2 takes it.
    // n0 deletes X @400 → stamped 1600 (never lower). sync n1<->n2: each side's v2 is news to
    //   the other, but the versions are equal: nothing.
    // Spanning path: n0<->n1 (only n0 changed: tombstone @1600 to n1), n1<->n2 (tombstone to n2),
    //   n0<->n1 (equal).
    const history: History = {
      nodes: 3,
      prefer: 'remote',
      skewMs: 1000,
      operations: [
        { kind: 'put', node: 0, itemId: X, data: { v: 1 }, at: 0 },
        { kind: 'put', node: 1, itemId: X, data: { v: 2 }, at: 1600 },
        { kind: 'delete', node: 2, itemId: X, at: 0 },
        { kind: 'sync', local: 0, remote: 1 },
        { kind: 'put', node: 2, itemId: X, data: { v: 3 }, at: 800 },
        { kind: 'sync', local: 2, remote: 0 },
        { kind: 'delete', node: 0, itemId: X, at: 400 },
        { kind: 'sync', local: 1, remote: 2 },
        ...spanningPath(3),
      ],
    };
    const m = runModel(history);
    for (const n of [0, 1, 2]) expect(heldX(m, n), `node ${n}`).to.deep.equal([null, 1600, true]);
    expect(isoAt(1600)).to.equal('2026-01-01T00:00:01.600Z');
  });

  it('the spanning path goes out and back through every node', () => {
    expect(spanningPath(4).map((op) => (op.kind === 'sync' ? `${op.local}-${op.remote}` : ''))).to.deep.equal(['0-1', '1-2', '2-3', '1-2', '0-1']);
  });

  it('every generated history converges, and a second spanning path changes nothing', () => {
    const seed = testSeed('model histories');
    fc.assert(
      fc.property(historyArbitrary(), (history) => {
        const m = runModel(history);
        expect(m.converged(), 'converged').to.be.ok;
        const before = m.nodes.map((_, i) => JSON.stringify(m.snapshot(i)));
        for (const op of spanningPath(history.nodes)) m.apply(op, history);
        expect(m.nodes.map((_, i) => JSON.stringify(m.snapshot(i)))).to.deep.equal(before);
      }),
      { seed, numRuns: 500 },
    );
  });

  it('generated histories cover ties, the window, deletes and syncs in both roles', () => {
    const seen = new Set<string>();
    const histories = fc.sample(historyArbitrary(), { seed: testSeed('sampled histories'), numRuns: 300 });
    for (const h of histories) {
      seen.add(`nodes ${h.nodes}`);
      seen.add(`prefer ${h.prefer}`);
      const writes = h.operations.filter((op): op is Extract<Operation, { at: number }> => op.kind !== 'sync');
      for (const op of writes) seen.add(op.kind);
      for (const a of writes)
        for (const b of writes) {
          if (a.node === b.node || a.itemId !== b.itemId) continue;
          const d = Math.abs(a.at - b.at);
          seen.add(d === 0 ? 'tie' : d <= 1000 ? 'inside' : 'outside');
          if (a.kind === 'delete' && b.kind === 'put') seen.add('delete vs edit');
        }
    }
    for (const wanted of [
      'nodes 3',
      'nodes 4',
      'nodes 5',
      'prefer fingerprint',
      'prefer local',
      'prefer remote',
      'put',
      'delete',
      'tie',
      'inside',
      'outside',
      'delete vs edit',
    ]) {
      expect(seen.has(wanted), wanted).to.be.ok;
    }
  });
});
