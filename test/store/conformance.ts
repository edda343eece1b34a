import { expect } from 'chai';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Precondition, Store, StoredEntry, Write } from '../../lib/store/store.js';
import { until } from '../support/until.js';
import { conflictAuditConformance } from './conflicts-conformance.js';
import { scopedLogConformance } from './scopes-conformance.js';

/** One store under test, fresh and empty. */
export interface StoreFixture {
  store: Store;
  /** Opens another handle on the same data, as a second process would; absent when the kind keeps nothing. */
  openAgain?: () => Promise<Store>;
  /** Removes whatever the fixture created; every store it opened is closed by then. */
  dispose(): Promise<void>;
  /** The store keeps data as JSON text, and hands it through when asked (ChangesQuery.dataAsJson). */
  keepsJsonText?: boolean;
}

const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const [A, B, C] = ids as [string, string, string];
const T0 = '2030-01-01T00:00:00.000Z';
const at = (iso: string) => () => new Date(iso);

function put(itemId: string, data: Json, precondition: Precondition = { kind: 'none' }, updatedAt: string | null = null): Write {
  return { itemId, data, fingerprint: fingerprint(data), deleted: false, updatedAt, precondition };
}

function del(itemId: string, precondition: Precondition = { kind: 'none' }, updatedAt: string | null = null): Write {
  return { itemId, data: null, fingerprint: TOMBSTONE_FINGERPRINT, deleted: true, updatedAt, precondition };
}

async function applied(store: Store, collection: string, writes: Write[], options = {}) {
  const outcome = await store.apply(collection, writes, options);
  if (!outcome.ok) throw new Error(`unexpected mismatches: ${JSON.stringify(outcome.mismatches)}`);
  return outcome;
}

/** Asserts that `actual` has each of `fields`, deeply equal. */
function hasFields(actual: unknown, fields: Record<string, unknown>): void {
  expect(actual !== null && typeof actual === 'object', `expected an object, got ${String(actual)}`).to.be.ok;
  for (const [key, value] of Object.entries(fields)) expect((actual as Record<string, unknown>)[key], `field ${key}`).to.deep.equal(value);
}

/** Every change of `collection` after `after`, read one page of `limit` at a time. */
async function readAll(store: Store, collection: string, after = 0, limit = 1) {
  const seen: Array<{ itemId: string; seq: number }> = [];
  let cursor = after;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.changes(collection, { after: cursor, limit, withData: false });
    seen.push(...page.entries.map((e) => ({ itemId: e.itemId, seq: e.seq })));
    cursor = page.checkpoint;
    if (!page.hasMore) return { seen, checkpoint: cursor };
  }
  throw new Error('paging never ended');
}

/** The store conformance suite: every Store implementation must pass it unchanged. */
export function storeConformance(name: string, create: () => Promise<StoreFixture>): void {
  describe(`store conformance: ${name}`, function () {
    let fixture: StoreFixture;
    let store: Store;
    const opened: Store[] = [];

    async function another(): Promise<Store> {
      if (!fixture.openAgain) return store;
      const other = await fixture.openAgain();
      opened.push(other);
      return other;
    }

    beforeEach(async function () {
      fixture = await create();
      store = fixture.store;
      opened.push(store);
    });

    afterEach(async function () {
      try {
        await Promise.all(opened.splice(0).map((s) => s.close()));
      } finally {
        await fixture?.dispose();
      }
    });

    describe('a new store', function () {
      it('is empty, with a UUID id and high water 0', async function () {
        expect(store.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        expect(await store.highWater()).to.equal(0);
        expect(await store.getItem('items', A)).to.equal(null);
        expect(await store.changes('items', { limit: 10, withData: true })).to.deep.equal({ entries: [], hasMore: false, checkpoint: 0 });
        expect(await store.horizon('items')).to.equal(0);
      });
    });

    describe('apply', function () {
      it('writes an item with its version, seq and recording time', async function () {
        const outcome = await applied(store, 'items', [put(A, { title: 'a', n: [1, 2.5, null] })], { now: at(T0) });
        expect(outcome.applied).to.equal(1);
        expect(outcome.checkpoint).to.equal(0);
        const expected = {
          itemId: A,
          data: { title: 'a', n: [1, 2.5, null] },
          fingerprint: fingerprint({ title: 'a', n: [1, 2.5, null] }),
          deleted: false,
          updatedAt: T0,
          seq: 1,
          recordedAt: T0,
          channels: [],
        };
        expect(outcome.items).to.deep.equal([expected]);
        expect(await store.getItem('items', A)).to.deep.equal(expected);
        expect(await store.highWater()).to.equal(1);
      });

      it('keeps any JSON data exactly, so its fingerprint still matches', async function () {
        const data: Json = { z: 1, a: { 'ü ✓ 😀': 'x\u0000y', big: 1e300, small: -1.5e-7, t: true }, list: [[], { kind: 'none' }, '', 0] };
        await applied(store, 'items', [put(A, data), put(B, 'just a string'), put(C, null)]);
        const [a, b, c] = await store.getItems('items', [A, B, C]);
        expect(a!.data).to.deep.equal(data);
        // The writer's key order (memory, IndexedDB) or canonical order (SQL stores keep canonical
        // text, lib/store/rows.ts); never one of the store's own, as jsonb's (shortest key first).
        expect([
          ['z', 'a', 'list'],
          ['a', 'list', 'z'],
        ]).to.deep.include(Object.keys(a!.data as object));
        expect(fingerprint(a!.data)).to.equal(a!.fingerprint);
        expect(b!.data).to.equal('just a string');
        expect(c!.data).to.equal(null);
      });

      it('does not share objects with the caller', async function () {
        const data = { tags: ['x'] };
        const outcome = await applied(store, 'items', [put(A, data)]);
        data.tags.push('changed by caller');
        (outcome.items[0]!.data as { tags: string[] }).tags.push('changed by reader');
        expect((await store.getItem('items', A))!.data).to.deep.equal({ tags: ['x'] });
      });

      it('writes nothing when any precondition of the batch fails', async function () {
        await applied(store, 'items', [put(A, 1)]);
        const outcome = await store.apply('items', [put(B, 2), put(C, 3), put(A, 4, { kind: 'base', fingerprint: fingerprint(0) })]);
        expect(outcome.ok).to.equal(false);
        if (outcome.ok) return;
        expect(outcome.mismatches.length).to.equal(1);
        const [conflict] = outcome.mismatches;
        hasFields(conflict, { itemId: A, expected: fingerprint(0), actual: fingerprint(1) });
        hasFields(conflict!.current, { itemId: A, data: 1, seq: 1 });
        expect((await store.getItems('items', [A, B, C])).length).to.equal(1);
        expect((await store.getItem('items', A))!.data).to.equal(1);
        expect(await store.highWater()).to.equal(1);
      });

      it('reports every refused write of a batch', async function () {
        const outcome = await store.apply('items', [put(A, 1, { kind: 'exists' }), put(B, 2, { kind: 'base', fingerprint: fingerprint(9) })]);
        expect(outcome.ok).to.equal(false);
        if (outcome.ok) return;
        expect(outcome.mismatches.map((c) => [c.itemId, c.expected, c.actual, c.current])).to.deep.equal([
          [A, null, null, null],
          [B, fingerprint(9), null, null],
        ]);
      });

      it('checks a base precondition against the present fingerprint (null: absent)', async function () {
        await applied(store, 'items', [put(A, 1, { kind: 'base', fingerprint: null })]);
        expect((await store.apply('items', [put(A, 2, { kind: 'base', fingerprint: null })])).ok).to.equal(false);
        expect((await store.apply('items', [put(A, 2, { kind: 'base', fingerprint: fingerprint(0) })])).ok).to.equal(false);
        await applied(store, 'items', [put(A, 2, { kind: 'base', fingerprint: fingerprint(1) })]);
        await applied(store, 'items', [del(A, { kind: 'base', fingerprint: fingerprint(2) })]);
        // A tombstone is present: its base is the fingerprint of null, not "absent".
        expect((await store.apply('items', [put(A, 3, { kind: 'base', fingerprint: null })])).ok).to.equal(false);
        await applied(store, 'items', [put(A, 3, { kind: 'base', fingerprint: TOMBSTONE_FINGERPRINT })]);
      });

      it('checks an exists precondition: any item, tombstone or not', async function () {
        expect((await store.apply('items', [put(A, 1, { kind: 'exists' })])).ok).to.equal(false);
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'items', [del(A, { kind: 'exists' })]);
        await applied(store, 'items', [put(A, 2, { kind: 'exists' })]);
      });

      it('checks an unchanged-since precondition against the seq of the latest change', async function () {
        await applied(store, 'items', [put(A, 1)]); // seq 1
        await applied(store, 'items', [put(B, 1)]); // seq 2
        await applied(store, 'items', [put(B, 2, { kind: 'unchanged-since', seq: 2 })]); // seq 3
        expect((await store.apply('items', [put(B, 3, { kind: 'unchanged-since', seq: 2 })])).ok).to.equal(false);
        await applied(store, 'items', [put(A, 2, { kind: 'unchanged-since', seq: 1 })]);
        await applied(store, 'items', [put(C, 1, { kind: 'unchanged-since', seq: 0 })]);
      });

      it('treats a version the item already has as a no-op, before its precondition', async function () {
        await applied(store, 'items', [put(A, 1, { kind: 'none' }, T0)]);
        const outcome = await applied(store, 'items', [put(A, 1, { kind: 'base', fingerprint: fingerprint('stale') }, '2031-01-01T00:00:00.000Z')]);
        expect(outcome.applied).to.equal(0);
        hasFields(outcome.items[0], { seq: 1, updatedAt: T0 });
        expect(await store.highWater()).to.equal(1);
        // Same fingerprint but a different deleted flag is a change.
        await applied(store, 'items', [del(B)]); // never existed: nothing to record
        expect(await store.highWater()).to.equal(1);
        await applied(store, 'items', [put(B, null)]);
        expect((await applied(store, 'items', [del(B)])).applied).to.equal(1);
        expect(await store.highWater()).to.equal(3);
      });

      it('checks a preconditionFirst write before the no-op rule (a direct write), and reports which items existed', async function () {
        await applied(store, 'items', [put(A, 1)]);
        const stale = await store.apply('items', [{ ...put(A, 1, { kind: 'base', fingerprint: fingerprint('stale') }), preconditionFirst: true }]);
        expect(stale.ok).to.equal(false);
        const outcome = await applied(store, 'items', [{ ...put(A, 1, { kind: 'base', fingerprint: fingerprint(1) }), preconditionFirst: true }, put(B, 2)]);
        expect(outcome.applied).to.equal(1);
        expect(outcome.existed).to.deep.equal([true, false]);
      });

      it('stamps origin writes from the clock, never lower than the previous updatedAt', async function () {
        await applied(store, 'items', [put(A, 1)], { now: at(T0) });
        expect((await store.getItem('items', A))!.updatedAt).to.equal(T0);
        const future = '2035-06-01T12:00:00.000Z';
        await applied(store, 'items', [put(B, 1, { kind: 'none' }, future)], { now: at(T0) });
        hasFields((await store.getItem('items', B))!, { updatedAt: future, recordedAt: T0 });
        await applied(store, 'items', [put(B, 2)], { now: at('2031-01-01T00:00:00.000Z') });
        expect((await store.getItem('items', B))!.updatedAt).to.equal(future);
        await applied(store, 'items', [del(A)], { now: at('2030-01-02T00:00:00.000Z') });
        expect((await store.getItem('items', A))!.updatedAt).to.equal('2030-01-02T00:00:00.000Z');
        // A synced version keeps its own time, even an older one.
        await applied(store, 'items', [put(A, 9, { kind: 'none' }, '2001-01-01T00:00:00.000Z')], { now: at(T0) });
        expect((await store.getItem('items', A))!.updatedAt).to.equal('2001-01-01T00:00:00.000Z');
      });

      it('gives every changed write the next seq of the node, across collections', async function () {
        const first = await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)]);
        expect(first.items.map((i) => i.seq)).to.deep.equal([1, 2, 3]);
        const other = await applied(store, 'notes', [put(A, 'note'), put(B, 'note')]);
        expect(other.items.map((i) => i.seq)).to.deep.equal([4, 5]);
        const mixed = await applied(store, 'items', [put(A, 1), put(B, 2), put(C, 1), put(A, 1)]);
        expect(mixed.applied).to.equal(1);
        expect(mixed.items.map((i) => i.seq)).to.deep.equal([1, 6, 3, 1]);
        expect(await store.highWater()).to.equal(6);
        expect((await store.getItem('notes', A))!.data).to.equal('note');
        expect((await store.getItem('items', A))!.data).to.equal(1);
      });
    });

    describe('the checkpoint an apply answers', function () {
      it('is the high water before the apply when no since is given', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        expect((await applied(store, 'items', [put(C, 1)])).checkpoint).to.equal(2);
      });

      it('is right after its own writes when nothing else was recorded after since', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        expect((await applied(store, 'items', [put(C, 1), put(A, 2)], { since: 2 })).checkpoint).to.equal(4);
        // Nothing changed: still "right after", which is where the node is.
        expect((await applied(store, 'items', [put(C, 1)], { since: 4 })).checkpoint).to.equal(4);
      });

      it('is since itself when someone else wrote after since, in any collection', async function () {
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'notes', [put(A, 1)]);
        expect((await applied(store, 'items', [put(B, 1)], { since: 1 })).checkpoint).to.equal(1);
      });
    });

    describe('changes', function () {
      it('lists each item once, at its latest change, oldest first', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)]);
        await applied(store, 'items', [put(A, 2)]);
        await applied(store, 'notes', [put(B, 'n')]);
        const page = await store.changes('items', { limit: 10, withData: true });
        expect(page.entries.map((e) => [e.itemId, e.seq, e.data])).to.deep.equal([
          [B, 2, 1],
          [C, 3, 1],
          [A, 4, 2],
        ]);
        hasFields(page, { hasMore: false, checkpoint: 5 });
      });

      it('leaves data out unless asked', async function () {
        await applied(store, 'items', [put(A, { x: 1 })], { now: at(T0) });
        const [entry] = (await store.changes('items', { limit: 10, withData: false })).entries;
        expect(entry).to.deep.equal({ itemId: A, updatedAt: T0, fingerprint: fingerprint({ x: 1 }), deleted: false, seq: 1, recordedAt: T0, channels: [] });
        expect(!('data' in entry)).to.be.ok;
      });

      it('with dataAsJson gives each live entry its data as parsed or as JSON text of it, a tombstone data null, the rest as without', async function () {
        const nested = { é: 'ünï\u2028code 😀', list: [1, 2.5, -3e-7, true, null, { deep: { er: ['x'] } }], '10': 'key', '9': 'order', empty: {} };
        await applied(store, 'items', [put(A, nested), put(B, 'text'), put(C, { x: 1 })], { now: at(T0) });
        await applied(store, 'items', [del(C)], { now: at(T0) });
        const parsed = await store.changes('items', { limit: 10, withData: true });
        const json = await store.changes('items', { limit: 10, withData: true, dataAsJson: true });
        const asParsed = (entry: StoredEntry): StoredEntry => {
          if (entry.dataJson === undefined) return entry;
          expect(entry, 'no data beside its text').to.not.have.property('data');
          const { dataJson, ...rest } = entry;
          return { ...rest, data: JSON.parse(dataJson) as Json };
        };
        expect(json.entries.map(asParsed)).to.deep.equal(parsed.entries);
        expect(parsed.entries.map((e) => e.data)).to.deep.equal([nested, 'text', null]);
        expect(json.entries[2]).to.deep.include({ deleted: true, data: null }).and.not.have.property('dataJson');
        expect(json.entries.map((e) => e.dataJson !== undefined)).to.deep.equal(fixture.keepsJsonText ? [true, true, false] : [false, false, false]);
        expect({ ...json, entries: [] }).to.deep.equal({ ...parsed, entries: [] });
        const without = await store.changes('items', { limit: 10, withData: false, dataAsJson: true });
        expect(without).to.deep.equal(await store.changes('items', { limit: 10, withData: false }));
      });

      it('pages with an exact cursor: limit 1 over items written together never repeats or skips', async function () {
        const many = ids.slice(0, 12);
        await applied(
          store,
          'items',
          many.map((id) => put(id, id)),
          { now: at(T0) },
        );
        await applied(store, 'notes', [put(A, 'other collection')]);
        const { seen, checkpoint } = await readAll(store, 'items');
        expect(seen.map((e) => e.itemId)).to.deep.equal(many);
        expect(seen.map((e) => e.seq)).to.deep.equal(many.map((_, i) => i + 1));
        expect(checkpoint).to.equal(13);
        const middle = await store.changes('items', { after: 5, limit: 3, withData: false });
        expect(middle.entries.map((e) => e.seq)).to.deep.equal([6, 7, 8]);
        hasFields(middle, { hasMore: true, checkpoint: 8 });
      });

      it('resumes after a checkpoint with exactly the later changes', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        const first = await store.changes('items', { limit: 10, withData: false });
        await applied(store, 'items', [put(A, 2), put(C, 1)]);
        const next = await store.changes('items', { after: first.checkpoint, limit: 10, withData: false });
        expect(next.entries.map((e) => e.itemId)).to.deep.equal([A, C]);
        const none = await store.changes('items', { after: next.checkpoint, limit: 10, withData: false });
        expect(none).to.deep.equal({ entries: [], hasMore: false, checkpoint: next.checkpoint });
      });

      it('moves an empty page to the node high water, never below the cursor', async function () {
        await applied(store, 'notes', [put(A, 1), put(B, 1)]);
        expect((await store.changes('items', { limit: 10, withData: false })).checkpoint).to.equal(2);
        expect((await store.changes('items', { after: 7, limit: 10, withData: false })).checkpoint).to.equal(7);
      });

      it('filters on the time this node recorded the change, inclusive, not on updatedAt', async function () {
        await applied(store, 'items', [put(A, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'items', [put(B, 1, { kind: 'none' }, '1999-01-01T00:00:00.000Z')], { now: at('2030-01-02T00:00:00.000Z') });
        await applied(store, 'items', [put(C, 1)], { now: at('2030-01-03T00:00:00.000Z') });
        const page = await store.changes('items', { recordedSince: '2030-01-02T00:00:00.000Z', limit: 10, withData: false });
        expect(page.entries.map((e) => e.itemId)).to.deep.equal([B, C]);
        const paged = await store.changes('items', { recordedSince: '2030-01-02T00:00:00.000Z', after: 2, limit: 10, withData: false });
        expect(paged.entries.map((e) => e.itemId)).to.deep.equal([C]);
      });
    });

    describe('tombstones', function () {
      it('keeps a deletion as a tombstone in the log, and a later write revives it', async function () {
        await applied(store, 'items', [put(A, { x: 1 })]);
        const outcome = await applied(store, 'items', [del(A)]);
        hasFields(outcome.items[0], { deleted: true, data: null, fingerprint: TOMBSTONE_FINGERPRINT, seq: 2 });
        const page = await store.changes('items', { limit: 10, withData: true });
        expect(page.entries.map((e) => [e.itemId, e.deleted, e.data])).to.deep.equal([[A, true, null]]);
        await applied(store, 'items', [put(A, { x: 2 })]);
        hasFields(await store.getItem('items', A), { deleted: false, seq: 3 });
      });

      it('purges tombstones recorded before a time and raises the horizon to the highest purged seq', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'items', [del(A)], { now: at('2030-01-02T00:00:00.000Z') }); // seq 4
        await applied(store, 'items', [del(B)], { now: at('2030-01-03T00:00:00.000Z') }); // seq 5
        await applied(store, 'notes', [put(A, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'notes', [del(A)], { now: at('2030-01-01T00:00:00.000Z') });

        expect(await store.purgeTombstones('items', '2030-01-03T00:00:00.000Z')).to.equal(1);
        expect(await store.horizon('items')).to.equal(4);
        expect(await store.getItem('items', A)).to.equal(null);
        expect((await store.getItems('items', [A, B, C])).map((i) => i.itemId)).to.deep.equal([B, C]);
        expect(await store.horizon('notes')).to.equal(0);
        hasFields(await store.getItem('notes', A), { deleted: true });

        expect(await store.purgeTombstones('items', '2030-01-01T00:00:00.000Z')).to.equal(0);
        expect(await store.horizon('items')).to.equal(4);
        expect(await store.purgeTombstones('items', '2031-01-01T00:00:00.000Z')).to.equal(1);
        expect(await store.horizon('items')).to.equal(5);
        expect((await store.changes('items', { limit: 10, withData: false })).entries.map((e) => e.itemId)).to.deep.equal([C]);
        // Purging does not give seqs back.
        expect(await store.highWater()).to.equal(7);
      });
    });

    describe('items and checkpoints', function () {
      it('gets several items in the order asked, leaving out the missing ones', async function () {
        await applied(store, 'items', [put(A, 'a'), put(B, 'b')]);
        expect((await store.getItems('items', [B, C, A])).map((i) => i.data)).to.deep.equal(['b', 'a']);
        expect(await store.getItems('items', [])).to.deep.equal([]);
        expect(await store.getItems('notes', [A])).to.deep.equal([]);
      });

      // A store may read a batch's items by the span of its ids (IdbStore does): a few ids far
      // apart in a large collection, and ids with other items between them, are found alike.
      it('finds the held items of a batch whether its ids span few other items or many', async function () {
        await applied(
          store,
          'items',
          ids.slice(1, 39).map((id, i) => put(id, i)),
        );
        const [first, last] = [ids[1]!, ids[38]!];
        expect((await store.getItems('items', [last, ids[0]!, first])).map((i) => i.data)).to.deep.equal([37, 0]);
        expect((await store.getItems('items', [ids[6]!, ids[0]!, ids[5]!])).map((i) => i.data)).to.deep.equal([5, 4]);
        const far = await store.apply('items', [
          put(first, 'x', { kind: 'base', fingerprint: fingerprint(0) }),
          put(last, 'y', { kind: 'base', fingerprint: null }),
        ]);
        expect(far.ok).to.equal(false);
        const near = await applied(store, 'items', [
          put(ids[0]!, 'w', { kind: 'base', fingerprint: null }),
          put(ids[2]!, 'z', { kind: 'base', fingerprint: fingerprint(1) }),
        ]);
        expect(near.existed).to.deep.equal([false, true]);
        const spread = await applied(store, 'items', [
          put(first, 'x', { kind: 'base', fingerprint: fingerprint(0) }),
          put(last, 'y', { kind: 'base', fingerprint: fingerprint(37) }),
        ]);
        expect(spread.existed).to.deep.equal([true, true]);
        expect((await store.getItems('items', [first, last])).map((i) => i.data)).to.deep.equal(['x', 'y']);
      });

      it('lists its collections: those with items, tombstones or conflict records, sorted, each once', async function () {
        expect(await store.collections()).to.deep.equal([]);
        await store.getItem('unread', A);
        await applied(store, 'notes', [put(A, 1), put(B, 2)]);
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'items', [del(A)]);
        await store.recordConflicts('Zaudit', []);
        expect(await store.collections()).to.deep.equal(['items', 'notes']);
        await store.setCheckpoint('remote', 'c1');
        expect(await store.collections(), 'checkpoints are no collection').to.deep.equal(['items', 'notes']);
      });

      it('keeps sync checkpoints by key', async function () {
        expect(await store.getCheckpoint('remote')).to.equal(null);
        await store.setCheckpoint('remote', 'c1');
        await store.setCheckpoint('other', 'x');
        await store.setCheckpoint('remote', 'c2');
        expect(await store.getCheckpoint('remote')).to.equal('c2');
        expect(await store.getCheckpoint('other')).to.equal('x');
        expect(await store.highWater()).to.equal(0);
      });
    });

    describe('persistence', function () {
      it('keeps everything when the store is opened again', async function () {
        if (!fixture.openAgain) this.skip();
        await applied(store, 'items', [put(A, { kept: true }), put(B, 1)], { now: at(T0) });
        await applied(store, 'items', [del(B)], { now: at(T0) });
        await store.purgeTombstones('items', '2031-01-01T00:00:00.000Z');
        await store.setCheckpoint('remote', 'cursor');
        const { id } = store;
        await store.close();
        const again = await another();
        expect(again.id).to.equal(id);
        hasFields(await again.getItem('items', A), { data: { kept: true }, seq: 1, updatedAt: T0 });
        expect(await again.highWater()).to.equal(3);
        expect(await again.horizon('items')).to.equal(3);
        expect(await again.getCheckpoint('remote')).to.equal('cursor');
        expect((await applied(again, 'items', [put(C, 1)])).items[0]!.seq).to.equal(4);
      });
    });

    describe('watch', function () {
      /** Resolves with how many times `listener` was told, once told at least once (bounded). */
      async function told(count: () => number): Promise<number> {
        return until(count, { timeout: 2000, message: 'the watcher is told' });
      }

      it('tells a watcher of the collection after a committed write, until stopped', async function () {
        let items = 0;
        const stop = await store.watch!('items', () => items++);
        await applied(store, 'items', [put(A, 1)]);
        expect((await told(() => items)) >= 1).to.be.ok;
        stop();
        const before = items;
        // A watcher still subscribed is told of the same write: once it is, the stopped one would have been too.
        let witness = 0;
        const stopWitness = await store.watch!('items', () => witness++);
        try {
          await applied(store, 'items', [put(A, 2)]);
          await told(() => witness);
        } finally {
          stopWitness();
        }
        expect(items).to.equal(before);
      });

      it('tells a watcher of another store handle on the same data (another process)', async function () {
        if (!fixture.openAgain) this.skip();
        const other = await another();
        let items = 0;
        const stop = await store.watch!('items', () => items++);
        try {
          await applied(other, 'items', [put(A, 1)]);
          expect((await told(() => items)) >= 1).to.be.ok;
        } finally {
          stop();
        }
      });
    });

    describe('concurrent writers', function () {
      it('let exactly one of many racing writes with the same base succeed per item', async function () {
        const other = await another();
        const targets = [A, B, C];
        await applied(
          store,
          'items',
          targets.map((id) => put(id, 'start')),
        );
        const base: Precondition = { kind: 'base', fingerprint: fingerprint('start') };
        const attempts = targets.flatMap((id) => Array.from({ length: 8 }, (_, n) => ({ id, n })));
        const outcomes = await Promise.all(attempts.map(({ id, n }) => (n % 2 ? other : store).apply('items', [put(id, `writer ${n}`, base)])));
        const wins = outcomes.flatMap((o) => (o.ok ? o.items : []));
        expect(wins.map((i) => i.itemId).sort()).to.deep.equal([...targets].sort());
        expect(wins.map((i) => i.seq).sort((x, y) => x - y)).to.deep.equal([4, 5, 6]);
        for (const o of outcomes) if (!o.ok) expect(o.mismatches[0]!.actual).to.not.equal(fingerprint('start'));
        for (const win of wins) expect(await other.getItem('items', win.itemId)).to.deep.equal(win);
        expect(await store.highWater()).to.equal(6);
      });

      it('issue unique, gap-free seqs in commit order, so a reader paging meanwhile misses nothing', async function () {
        const other = await another();
        const reader = await another();
        const writes = ids.slice(0, 30);
        let done = false;
        const seen = new Map<string, number>();
        const reading = (async () => {
          let cursor = 0;
          while (!done) {
            const page = await reader.changes('items', { after: cursor, limit: 3, withData: false });
            for (const e of page.entries) seen.set(e.itemId, e.seq);
            cursor = page.checkpoint;
          }
          return cursor;
        })();
        const outcomes = await Promise.all(writes.map((id, n) => (n % 2 ? other : store).apply('items', [put(id, n, { kind: 'base', fingerprint: null })])));
        done = true;
        const cursor = await reading;
        const seqs = outcomes.map((o) => (o.ok ? o.items[0]!.seq : -1)).sort((x, y) => x - y);
        expect(seqs).to.deep.equal(writes.map((_, i) => i + 1));
        const rest = await readAll(reader, 'items', cursor, 5);
        for (const e of rest.seen) seen.set(e.itemId, e.seq);
        expect([...seen.keys()].sort()).to.deep.equal([...writes].sort());
        expect(rest.checkpoint).to.equal(30);
      });
    });

    conflictAuditConformance(() => ({ store, another, canReopen: fixture.openAgain !== undefined }));
    scopedLogConformance(() => ({ store, another, canReopen: fixture.openAgain !== undefined }));
  });
}
