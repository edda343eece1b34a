import { expect } from 'chai';
import { conflictCount, judge, settle, syncEntry } from '../../lib/client/plan.js';
import type { Policy } from '../../lib/client/decide.js';
import type { ReplicaEntry } from '../../lib/client/replica.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json, VersionWithData } from '../../lib/protocol/types.js';

/** The planner on its own (lib/client/plan.ts): logs in, pushes/pulls/records/decisions out, no I/O. */
const T = Date.UTC(2026, 0, 1);
const version = (data: Json, ms: number, deleted = false): VersionWithData => ({
  updatedAt: new Date(T + ms).toISOString(),
  fingerprint: fingerprint(deleted ? null : data),
  deleted,
  data: deleted ? null : data,
});
const entry = (itemId: string, v: VersionWithData): ReplicaEntry => ({ itemId, ...v });
const log = (...entries: ReplicaEntry[]) => new Map(entries.map((e) => [e.itemId, e]));
const policy: Policy = { prefer: 'remote', skewMs: 1000, resolves: false };
const context = { collection: 'items', peer: 'http://peer/', audit: true, now: new Date(T + 60_000) };
const ids = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'] as const;

describe('client/plan', () => {
  it('pushes what only the local log lists (no base), pulls what only the remote lists, leaves equal items alone', async () => {
    const [a, b, c] = ids;
    const local = log(entry(a, version({ a: 1 }, 0)), entry(c, version({ c: 1 }, 0)));
    const remote = log(entry(b, version({ b: 1 }, 0)), entry(c, version({ c: 1 }, 5000)));
    const judgement = judge(local, remote, policy, true);
    expect(judgement.needLocal.map((e) => e.itemId)).to.deep.equal([a]);
    expect(judgement.needRemote.map((e) => e.itemId)).to.deep.equal([b]);
    const plan = await settle(judgement, { local: new Map([[a, version({ a: 1 }, 0)]]), remote: new Map([[b, version({ b: 1 }, 0)]]) }, context);
    expect(plan.pushes).to.deep.equal([syncEntry(a, version({ a: 1 }, 0), undefined)]);
    expect(plan.pushes[0]).to.not.have.property('base');
    expect(plan.pulls.map((e) => e.itemId)).to.deep.equal([b]);
    expect(plan.records).to.deep.equal([]);
    expect(plan.decisions.map((d) => [d.itemId, d.winner, d.rule])).to.deep.equal([
      [a, 'local', 'one-side'],
      [c, 'none', 'equal'],
      [b, 'remote', 'one-side'],
    ]);
    expect(conflictCount(plan.decisions)).to.equal(0);
  });

  it('decides a conflict, carries the base the other log showed, and records both versions under audit', async () => {
    const [a] = ids;
    const [l, r] = [version({ by: 'local' }, 10_000), version({ by: 'remote' }, 0)];
    const judgement = judge(log(entry(a, l)), log(entry(a, r)), policy, true);
    // Under audit the loser's data is needed too.
    expect([judgement.needLocal.length, judgement.needRemote.length]).to.deep.equal([1, 1]);
    const plan = await settle(judgement, { local: new Map([[a, l]]), remote: new Map([[a, r]]) }, context);
    expect(plan.pushes).to.deep.equal([{ itemId: a, ...l, base: r.fingerprint }]);
    expect(plan.pulls).to.deep.equal([]);
    expect(plan.records).to.have.length(1);
    expect(plan.records[0]).to.include({ itemId: a, peer: 'http://peer/', rule: 'newer', winner: 'local', decidedAt: context.now.toISOString() });
    expect(plan.records[0]!.local).to.deep.equal(l);
    expect(plan.records[0]!.remote).to.deep.equal(r);
    expect(conflictCount(plan.decisions)).to.equal(1);
  });

  it("without audit needs only the winner's data", () => {
    const [a] = ids;
    const { needLocal, needRemote } = judge(log(entry(a, version(1, 10_000))), log(entry(a, version(2, 0))), policy, false);
    expect([needLocal.length, needRemote.length]).to.deep.equal([1, 0]);
  });

  it('asks the resolver inside the skew window; a merge goes to both sides, stamped no earlier than either', async () => {
    const [a] = ids;
    const [l, r] = [version({ n: 1 }, 0), version({ n: 2 }, 500)];
    const judgement = judge(log(entry(a, l)), log(entry(a, r)), { ...policy, resolves: true }, true);
    expect(judgement.judged[0]!.verdict).to.deep.equal({ winner: 'ask', rule: 'resolve' });
    const plan = await settle(judgement, { local: new Map([[a, l]]), remote: new Map([[a, r]]) }, { ...context, resolve: () => ({ data: { n: 3 } }) });
    expect(plan.pushes).to.have.length(1);
    expect(plan.pulls).to.have.length(1);
    expect(plan.pushes[0]!.fingerprint).to.equal(fingerprint({ n: 3 }));
    expect(plan.pulls[0]!.base).to.equal(l.fingerprint);
    expect(plan.pushes[0]!.base).to.equal(r.fingerprint);
    expect(plan.pushes[0]!.updatedAt).to.equal(context.now.toISOString());
    expect(plan.decisions[0]).to.include({ winner: 'merged', rule: 'resolve' });
  });
});
