import { expect } from 'chai';
import { canonicalJson, fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { toWrite } from '../../lib/protocol/entry.js';
import { checkpointAfterApply, checkWrite, planApply } from '../../lib/store/rules.js';
import type { Precondition, StoredItem, Write } from '../../lib/store/store.js';

const NOW = new Date('2030-06-01T00:00:00.000Z');
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

const stored = (itemId: string, data: Json, seq: number, updatedAt = '2030-01-01T00:00:00.000Z'): StoredItem => ({
  itemId,
  updatedAt,
  fingerprint: data === null ? TOMBSTONE_FINGERPRINT : fingerprint(data),
  deleted: data === null,
  data,
  seq,
  recordedAt: updatedAt,
  channels: [],
});
const write = (itemId: string, data: Json, precondition: Precondition = { kind: 'none' }, updatedAt: string | null = null): Write => ({
  itemId,
  deleted: data === null,
  data,
  fingerprint: data === null ? TOMBSTONE_FINGERPRINT : fingerprint(data),
  updatedAt,
  precondition,
});

describe('store/rules', () => {
  describe('checkWrite', () => {
    it('does nothing for the version already there, before checking the precondition (a retried log answers 200)', () => {
      const current = stored(A, { v: 1 }, 3);
      expect(checkWrite(current, write(A, { v: 1 }, { kind: 'base', fingerprint: 'stale' }), NOW)).to.deep.equal({ kind: 'noop' });
    });

    it('records nothing for the origin deletion of an item that never existed, but a deletion with a time it records', () => {
      expect(checkWrite(null, write(A, null), NOW)).to.deep.equal({ kind: 'noop' });
      expect(checkWrite(null, write(A, null, { kind: 'none' }, '2030-01-01T00:00:00.000Z'), NOW)).to.deep.equal({
        kind: 'write',
        updatedAt: '2030-01-01T00:00:00.000Z',
      });
    });

    it('checks each kind of precondition against the item as it stands', () => {
      const current = stored(A, { v: 1 }, 5);
      const ok = (c: StoredItem | null, p: Precondition) => checkWrite(c, write(A, { v: 2 }, p), NOW).kind;
      expect(ok(current, { kind: 'base', fingerprint: fingerprint({ v: 1 }) })).to.equal('write');
      expect(ok(current, { kind: 'base', fingerprint: fingerprint({ v: 0 }) })).to.equal('mismatch');
      expect(ok(null, { kind: 'base', fingerprint: null })).to.equal('write');
      expect(ok(current, { kind: 'base', fingerprint: null })).to.equal('mismatch');
      expect(ok(current, { kind: 'exists' })).to.equal('write');
      expect(ok(stored(A, null, 5), { kind: 'exists' }), 'a tombstone exists').to.equal('write');
      expect(ok(null, { kind: 'exists' })).to.equal('mismatch');
      expect(ok(current, { kind: 'unchanged-since', seq: 5 })).to.equal('write');
      expect(ok(current, { kind: 'unchanged-since', seq: 4 })).to.equal('mismatch');
      expect(ok(null, { kind: 'unchanged-since', seq: 0 })).to.equal('write');
    });

    it('reports a refusal with what was expected and what is there', () => {
      const current = stored(A, { v: 1 }, 5);
      expect(checkWrite(current, write(A, { v: 2 }, { kind: 'base', fingerprint: 'e'.repeat(40) }), NOW)).to.deep.equal({
        kind: 'mismatch',
        mismatch: { itemId: A, expected: 'e'.repeat(40), actual: fingerprint({ v: 1 }), current },
      });
      expect(checkWrite(null, write(A, { v: 2 }, { kind: 'exists' }), NOW)).to.deep.equal({
        kind: 'mismatch',
        mismatch: { itemId: A, expected: null, actual: null, current: null },
      });
    });

    it('stamps an origin write from the clock, never below the previous updatedAt, and keeps a given time', () => {
      expect(checkWrite(null, write(A, { v: 1 }), NOW)).to.deep.equal({ kind: 'write', updatedAt: NOW.toISOString() });
      const ahead = stored(A, { v: 1 }, 1, '2031-01-01T00:00:00.000Z');
      expect(checkWrite(ahead, write(A, { v: 2 }), NOW)).to.deep.equal({ kind: 'write', updatedAt: '2031-01-01T00:00:00.000Z' });
      expect(checkWrite(ahead, write(A, { v: 2 }, { kind: 'none' }, '2020-01-01T00:00:00.000Z'), NOW)).to.deep.equal({
        kind: 'write',
        updatedAt: '2020-01-01T00:00:00.000Z',
      });
    });
  });

  it("turns a sync log entry into a write: over its base when it has one, else unchanged since the log's since", () => {
    const entry = { itemId: A, updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint({ v: 1 }), deleted: false, data: { v: 1 } };
    expect(toWrite({ ...entry, base: null }, 4).precondition).to.deep.equal({ kind: 'base', fingerprint: null });
    expect(toWrite({ ...entry, base: 'b'.repeat(40) }, 4).precondition).to.deep.equal({ kind: 'base', fingerprint: 'b'.repeat(40) });
    expect(toWrite(entry, 4).precondition).to.deep.equal({ kind: 'unchanged-since', seq: 4 });
    expect(toWrite(entry, undefined).precondition).to.deep.equal({ kind: 'unchanged-since', seq: 0 });
    expect(toWrite({ ...entry, deleted: true }, 0).data, 'a deletion carries no data').to.equal(null);
    expect(toWrite(entry, 0)).to.deep.include({ itemId: A, updatedAt: entry.updatedAt, fingerprint: entry.fingerprint, deleted: false, data: { v: 1 } });
  });

  it('answers the checkpoint after an apply: past its own writes only when nobody else wrote since `since`', () => {
    expect(checkpointAfterApply(undefined, 7, 9)).to.equal(7);
    expect(checkpointAfterApply(7, 7, 9)).to.equal(9);
    expect(checkpointAfterApply(8, 7, 9)).to.equal(9);
    expect(checkpointAfterApply(5, 7, 9), 'someone wrote 6 and 7').to.equal(5);
  });

  describe('planApply', () => {
    const now = () => NOW;

    it('numbers the rows it writes from the high water, skips no-ops, and answers each item after the apply', () => {
      const current = new Map([[A, stored(A, { v: 1 }, 3)]]);
      const plan = planApply(current, [write(A, { v: 1 }), write(B, { v: 1 }), write(A, { v: 2 })], 10, { now });
      if (!plan.ok) expect.fail('the plan is refused');
      expect(plan.applied).to.equal(2);
      expect(plan.rows.map((r) => [r.itemId, r.seq])).to.deep.equal([
        [B, 11],
        [A, 12],
      ]);
      expect(plan.highWater).to.equal(12);
      expect(plan.recordedAt).to.equal(NOW.toISOString());
      expect(plan.items.map((i) => [i.itemId, i.data])).to.deep.equal([
        [A, { v: 2 }],
        [B, { v: 1 }],
        [A, { v: 2 }],
      ]);
      expect(plan.checkpoint).to.equal(10);
    });

    it("hands each written row's given canonical text to the store, for the row that wrote it and no other", () => {
      const withText = (itemId: string, data: Json): Write => ({ ...write(itemId, data), dataJson: canonicalJson(data) });
      const tombstone: Write = { ...write(B, null, { kind: 'none' }, '2030-01-01T00:00:00.000Z'), dataJson: 'null' };
      const current = new Map([[B, stored(B, { v: 1 }, 3)]]);
      const plan = planApply(current, [withText(A, { v: 1, a: 0 }), tombstone, write(C, { v: 3 }), withText(A, { v: 2 })], 10, { now });
      if (!plan.ok) expect.fail('the plan is refused');
      expect(plan.rows.map((row) => [row.itemId, plan.dataJson.get(row) ?? 'none'])).to.deep.equal([
        [A, '{"a":0,"v":1}'],
        [B, 'none'],
        [C, 'none'],
        [A, '{"v":2}'],
      ]);
    });

    it('refuses the whole apply when any write is refused, listing every refusal', () => {
      const current = new Map([[A, stored(A, { v: 1 }, 3)]]);
      const plan = planApply(
        current,
        [write(B, { v: 1 }), write(A, { v: 2 }, { kind: 'base', fingerprint: null }), write(B, { v: 2 }, { kind: 'exists' })],
        3,
        { now },
      );
      expect(plan.ok).to.equal(false);
      if (plan.ok) return;
      expect(plan.mismatches.map((m) => m.itemId)).to.deep.equal([A, B]);
    });

    it('decides every write against the state before the apply, so their order does not matter', () => {
      const writes = [write(A, { v: 1 }, { kind: 'base', fingerprint: null }), write(B, { v: 1 }, { kind: 'base', fingerprint: null })];
      const one = planApply(new Map(), writes, 0, { now });
      const other = planApply(new Map(), [...writes].reverse(), 0, { now });
      if (!one.ok || !other.ok) expect.fail('refused');
      expect(new Set(one.rows.map((r) => r.itemId))).to.deep.equal(new Set(other.rows.map((r) => r.itemId)));
      // A second write of A over the first would fail its base were it decided after the first.
      const twice = planApply(
        new Map(),
        [write(A, { v: 1 }, { kind: 'base', fingerprint: null }), write(A, { v: 2 }, { kind: 'base', fingerprint: null })],
        0,
        { now },
      );
      if (!twice.ok) expect.fail('refused');
      expect(twice.rows.map((r) => r.seq)).to.deep.equal([1, 2]);
      expect(twice.items[0]!.data, 'the last write of an item wins').to.deep.equal({ v: 2 });
    });

    it('answers the checkpoint after its writes when `since` is the high water', () => {
      const plan = planApply(new Map(), [write(A, { v: 1 })], 4, { now, since: 4 });
      if (!plan.ok) expect.fail('refused');
      expect(plan.checkpoint).to.equal(5);
    });
  });
});
