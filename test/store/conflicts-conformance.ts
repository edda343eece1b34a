import { expect } from 'chai';
import { conflictId, type ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Store, Write } from '../../lib/store/store.js';

/** What the conformance suite hands this part: the store under test, and another handle on it (or itself). */
export interface AuditFixture {
  store: Store;
  another(): Promise<Store>;
  canReopen: boolean;
}

const ITEM = '00000000-0000-4000-8000-00000000a001';
const T0 = '2030-01-01T00:00:00.000Z';
const at = (iso: string) => () => new Date(iso);

function put(itemId: string, data: Json, base?: string | null): Write {
  return {
    itemId,
    data,
    fingerprint: fingerprint(data),
    deleted: false,
    updatedAt: null,
    precondition: base === undefined ? { kind: 'none' } : { kind: 'base', fingerprint: base },
  };
}

let made = 0;
/** A record of a decision on ITEM (or `itemId`); each call a different decision unless given the same `n`. */
function record(n = ++made, itemId = ITEM): ConflictRecord {
  const local = {
    updatedAt: T0,
    fingerprint: fingerprint({ n, side: 'local', keys: { z: 1, a: 2 } }),
    deleted: false,
    data: { n, side: 'local', keys: { z: 1, a: 2 } },
  };
  const remote = { updatedAt: T0, fingerprint: fingerprint(null), deleted: true, data: null };
  const body = {
    itemId,
    peer: 'http://127.0.0.1:1/',
    rule: 'prefer-remote' as const,
    winner: 'remote' as const,
    local,
    remote,
    result: { updatedAt: T0, fingerprint: remote.fingerprint, deleted: true },
  };
  return { ...body, conflictId: conflictId('items', body), decidedAt: T0 };
}

/** The conflict audit part of the store conformance suite (lib/store/store.ts: recordConflicts, conflicts, getConflict, ApplyOptions.conflicts/restoring). */
export function conflictAuditConformance(fixture: () => AuditFixture): void {
  describe('conflict audit', function () {
    it('keeps records exactly, with increasing positions, and answers them newest first', async function () {
      const { store } = fixture();
      const [r1, r2, r3] = [record(), record(), record()];
      expect(await store.recordConflicts('items', [r1, r2])).to.equal(2);
      expect(await store.recordConflicts('items', [r3])).to.equal(1);
      const got = await store.getConflict('items', r2.conflictId);
      if (!got) expect.fail('the recorded conflict is found');
      const { position, restored, ...rest } = got;
      expect(rest).to.deep.equal(r2);
      expect(JSON.stringify(rest.local.data), 'data keeps its key order').to.equal(JSON.stringify(r2.local.data));
      expect(restored).to.equal(null);
      const page = await store.conflicts('items', { limit: 10 });
      expect(page.records.map((r) => r.conflictId)).to.deep.equal([r3, r2, r1].map((r) => r.conflictId));
      expect(page.records[0]!.position > position && position > page.records[2]!.position).to.be.ok;
      expect(page.hasMore).to.equal(false);
      expect(await store.getConflict('items', '00000000-0000-4000-8000-000000000000')).to.equal(null);
      expect(await store.getConflict('notes', r2.conflictId)).to.equal(null);
    });

    it('counts a collection with conflict records alone among its collections', async function () {
      const { store } = fixture();
      await store.recordConflicts('audited', [record()]);
      expect(await store.collections()).to.deep.equal(['audited']);
    });

    it('purges the records of a collection decided before a time, restored or not, and only those', async function () {
      const { store } = fixture();
      const old = { ...record(), decidedAt: '2030-01-01T00:00:00.000Z' };
      const edge = { ...record(), decidedAt: '2030-01-02T00:00:00.000Z' };
      const older = { ...record(), decidedAt: '2029-06-01T00:00:00.000Z' };
      const elsewhere = { ...record(), decidedAt: '2029-01-01T00:00:00.000Z' };
      await store.recordConflicts('items', [old, edge]);
      await store.apply('items', [], { restoring: { conflictId: old.conflictId, side: 'local' } });
      expect((await store.getConflict('items', old.conflictId))?.restored, 'restored before the purge').to.be.ok;
      await store.recordConflicts('items', [older]);
      await store.recordConflicts('notes', [elsewhere]);
      expect(await store.purgeConflicts('items', '2030-01-02T00:00:00.000Z')).to.equal(2);
      expect(await store.getConflict('items', old.conflictId)).to.equal(null);
      expect(await store.getConflict('items', older.conflictId)).to.equal(null);
      expect((await store.conflicts('items', { limit: 10 })).records.map((r) => r.conflictId)).to.deep.equal([edge.conflictId]);
      expect(await store.getConflict('notes', elsewhere.conflictId), 'another collection keeps its records').to.be.ok;
      expect(await store.purgeConflicts('items', '2030-01-02T00:00:00.000Z')).to.equal(0);
      // Recorded again after the purge, a decision is a new record.
      expect(await store.recordConflicts('items', [old])).to.equal(1);
    });

    it('keeps a conflictId once, however often it is recorded', async function () {
      const { store } = fixture();
      const r = record();
      expect(await store.recordConflicts('items', [r])).to.equal(1);
      expect(await store.recordConflicts('items', [r, { ...r, decidedAt: '2031-01-01T00:00:00.000Z' }])).to.equal(0);
      const page = await store.conflicts('items', { limit: 10 });
      expect(page.records.map((x) => x.decidedAt)).to.deep.equal([T0]);
    });

    it('pages newest first before a position, never repeating or skipping, each collection on its own', async function () {
      const { store } = fixture();
      const records = Array.from({ length: 7 }, () => record());
      for (const r of records) await store.recordConflicts('items', [r]);
      await store.recordConflicts('notes', [record()]);
      const seen: string[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await store.conflicts('items', { limit: 3, ...(before === undefined ? {} : { before }) });
        seen.push(...page.records.map((r) => r.conflictId));
        if (!page.hasMore) break;
        before = page.records.at(-1)!.position;
      }
      expect(seen).to.deep.equal(records.map((r) => r.conflictId).reverse());
      expect((await store.conflicts('notes', { limit: 10 })).records.length).to.equal(1);
    });

    it('records with an apply only when the apply succeeds, even an apply of no writes', async function () {
      const { store } = fixture();
      const [kept, refused, alone] = [record(), record(), record()];
      const ok = await store.apply('items', [put(ITEM, 1)], { conflicts: [kept] });
      expect(ok.ok).to.be.ok;
      const no = await store.apply('items', [put(ITEM, 2, null)], { conflicts: [refused] });
      expect(no.ok).to.equal(false);
      const empty = await store.apply('items', [], { conflicts: [alone], since: 1 });
      expect(empty.ok && empty.applied === 0 && empty.checkpoint === 1).to.be.ok;
      expect((await store.conflicts('items', { limit: 10 })).records.map((r) => r.conflictId)).to.deep.equal([alone.conflictId, kept.conflictId]);
      expect(await store.highWater()).to.equal(1);
    });

    it("marks a record restored by the apply that restores it, at the apply's time, and only if it succeeds", async function () {
      const { store } = fixture();
      const r = record();
      await store.recordConflicts('items', [r]);
      await store.apply('items', [put(ITEM, 'winner')]);
      const refused = await store.apply('items', [put(ITEM, 'loser', 'not-the-fingerprint')], { restoring: { conflictId: r.conflictId, side: 'local' } });
      expect(refused.ok).to.equal(false);
      expect((await store.getConflict('items', r.conflictId))!.restored).to.equal(null);
      const restoredAt = '2030-02-02T00:00:00.000Z';
      const done = await store.apply('items', [put(ITEM, 'loser', fingerprint('winner'))], {
        restoring: { conflictId: r.conflictId, side: 'local' },
        now: at(restoredAt),
      });
      expect(done.ok).to.be.ok;
      expect((await store.getConflict('items', r.conflictId))!.restored).to.deep.equal({ side: 'local', restoredAt });
      expect((await store.conflicts('items', { limit: 1 })).records[0]!.restored).to.deep.equal({ side: 'local', restoredAt });
    });

    it('keeps the audit when the store is opened again', async function () {
      const { store, another, canReopen } = fixture();
      if (!canReopen) this.skip();
      const r = record();
      await store.recordConflicts('items', [r]);
      await store.close();
      const again = await another();
      expect((await again.getConflict('items', r.conflictId))!.itemId).to.equal(ITEM);
      const next = record();
      await again.recordConflicts('items', [next]);
      expect((await again.conflicts('items', { limit: 5 })).records.map((x) => x.conflictId)).to.deep.equal([next.conflictId, r.conflictId]);
    });
  });
}
