import assert from 'node:assert/strict';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Precondition, Store, Write } from '../../lib/store/store.js';
import { conflictAuditConformance } from './conflicts-conformance.js';

/** One store under test, fresh and empty. */
export interface StoreFixture {
  store: Store;
  /** Opens another handle on the same data, as a second process would; absent when the kind keeps nothing. */
  openAgain?: () => Promise<Store>;
  /** Removes whatever the fixture created; every store it opened is closed by then. */
  dispose(): Promise<void>;
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
  if (!outcome.ok) throw new Error(`unexpected conflicts: ${JSON.stringify(outcome.conflicts)}`);
  return outcome;
}

/** Asserts that `actual` has each of `fields`, deeply equal. */
function hasFields(actual: unknown, fields: Record<string, unknown>): void {
  assert.ok(actual !== null && typeof actual === 'object', `expected an object, got ${String(actual)}`);
  for (const [key, value] of Object.entries(fields)) assert.deepEqual((actual as Record<string, unknown>)[key], value, `field ${key}`);
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
        assert.match(store.id, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
        assert.equal(await store.highWater(), 0);
        assert.equal(await store.getItem('items', A), null);
        assert.deepEqual(await store.changes('items', { limit: 10, withData: true }), { entries: [], hasMore: false, checkpoint: 0 });
        assert.equal(await store.horizon('items'), 0);
      });
    });

    describe('apply', function () {
      it('writes an item with its version, seq and recording time', async function () {
        const outcome = await applied(store, 'items', [put(A, { title: 'a', n: [1, 2.5, null] })], { now: at(T0) });
        assert.equal(outcome.applied, 1);
        assert.equal(outcome.checkpoint, 0);
        const expected = {
          itemId: A,
          data: { title: 'a', n: [1, 2.5, null] },
          fingerprint: fingerprint({ title: 'a', n: [1, 2.5, null] }),
          deleted: false,
          updatedAt: T0,
          seq: 1,
          recordedAt: T0,
        };
        assert.deepEqual(outcome.items, [expected]);
        assert.deepEqual(await store.getItem('items', A), expected);
        assert.equal(await store.highWater(), 1);
      });

      it('keeps any JSON data exactly, so its fingerprint still matches', async function () {
        const data: Json = { z: 1, a: { 'ü ✓ 😀': 'x\u0000y', big: 1e300, small: -1.5e-7, t: true }, list: [[], { kind: 'none' }, '', 0] };
        await applied(store, 'items', [put(A, data), put(B, 'just a string'), put(C, null)]);
        const [a, b, c] = await store.getItems('items', [A, B, C]);
        assert.deepEqual(a!.data, data);
        assert.deepEqual(Object.keys(a!.data as object), ['z', 'a', 'list']);
        assert.equal(fingerprint(a!.data), a!.fingerprint);
        assert.equal(b!.data, 'just a string');
        assert.equal(c!.data, null);
      });

      it('does not share objects with the caller', async function () {
        const data = { tags: ['x'] };
        const outcome = await applied(store, 'items', [put(A, data)]);
        data.tags.push('changed by caller');
        (outcome.items[0]!.data as { tags: string[] }).tags.push('changed by reader');
        assert.deepEqual((await store.getItem('items', A))!.data, { tags: ['x'] });
      });

      it('writes nothing when any precondition of the batch fails', async function () {
        await applied(store, 'items', [put(A, 1)]);
        const outcome = await store.apply('items', [put(B, 2), put(C, 3), put(A, 4, { kind: 'base', fingerprint: fingerprint(0) })]);
        assert.equal(outcome.ok, false);
        if (outcome.ok) return;
        assert.equal(outcome.conflicts.length, 1);
        const [conflict] = outcome.conflicts;
        hasFields(conflict, { itemId: A, expected: fingerprint(0), actual: fingerprint(1) });
        hasFields(conflict!.current, { itemId: A, data: 1, seq: 1 });
        assert.equal((await store.getItems('items', [A, B, C])).length, 1);
        assert.equal((await store.getItem('items', A))!.data, 1);
        assert.equal(await store.highWater(), 1);
      });

      it('reports every refused write of a batch', async function () {
        const outcome = await store.apply('items', [put(A, 1, { kind: 'exists' }), put(B, 2, { kind: 'base', fingerprint: fingerprint(9) })]);
        assert.equal(outcome.ok, false);
        if (outcome.ok) return;
        assert.deepEqual(
          outcome.conflicts.map((c) => [c.itemId, c.expected, c.actual, c.current]),
          [
            [A, null, null, null],
            [B, fingerprint(9), null, null],
          ],
        );
      });

      it('checks a base precondition against the present fingerprint (null: absent)', async function () {
        await applied(store, 'items', [put(A, 1, { kind: 'base', fingerprint: null })]);
        assert.equal((await store.apply('items', [put(A, 2, { kind: 'base', fingerprint: null })])).ok, false);
        assert.equal((await store.apply('items', [put(A, 2, { kind: 'base', fingerprint: fingerprint(0) })])).ok, false);
        await applied(store, 'items', [put(A, 2, { kind: 'base', fingerprint: fingerprint(1) })]);
        await applied(store, 'items', [del(A, { kind: 'base', fingerprint: fingerprint(2) })]);
        // A tombstone is present: its base is the fingerprint of null, not "absent".
        assert.equal((await store.apply('items', [put(A, 3, { kind: 'base', fingerprint: null })])).ok, false);
        await applied(store, 'items', [put(A, 3, { kind: 'base', fingerprint: TOMBSTONE_FINGERPRINT })]);
      });

      it('checks an exists precondition: any item, tombstone or not', async function () {
        assert.equal((await store.apply('items', [put(A, 1, { kind: 'exists' })])).ok, false);
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'items', [del(A, { kind: 'exists' })]);
        await applied(store, 'items', [put(A, 2, { kind: 'exists' })]);
      });

      it('checks an unchanged-since precondition against the seq of the latest change', async function () {
        await applied(store, 'items', [put(A, 1)]); // seq 1
        await applied(store, 'items', [put(B, 1)]); // seq 2
        await applied(store, 'items', [put(B, 2, { kind: 'unchanged-since', seq: 2 })]); // seq 3
        assert.equal((await store.apply('items', [put(B, 3, { kind: 'unchanged-since', seq: 2 })])).ok, false);
        await applied(store, 'items', [put(A, 2, { kind: 'unchanged-since', seq: 1 })]);
        await applied(store, 'items', [put(C, 1, { kind: 'unchanged-since', seq: 0 })]);
      });

      it('treats a version the item already has as a no-op, before its precondition', async function () {
        await applied(store, 'items', [put(A, 1, { kind: 'none' }, T0)]);
        const outcome = await applied(store, 'items', [put(A, 1, { kind: 'base', fingerprint: fingerprint('stale') }, '2031-01-01T00:00:00.000Z')]);
        assert.equal(outcome.applied, 0);
        hasFields(outcome.items[0], { seq: 1, updatedAt: T0 });
        assert.equal(await store.highWater(), 1);
        // Same fingerprint but a different deleted flag is a change.
        await applied(store, 'items', [del(B)]); // never existed: nothing to record
        assert.equal(await store.highWater(), 1);
        await applied(store, 'items', [put(B, null)]);
        assert.equal((await applied(store, 'items', [del(B)])).applied, 1);
        assert.equal(await store.highWater(), 3);
      });

      it('checks a preconditionFirst write before the no-op rule (a direct write), and reports which items existed', async function () {
        await applied(store, 'items', [put(A, 1)]);
        const stale = await store.apply('items', [{ ...put(A, 1, { kind: 'base', fingerprint: fingerprint('stale') }), preconditionFirst: true }]);
        assert.equal(stale.ok, false);
        const outcome = await applied(store, 'items', [{ ...put(A, 1, { kind: 'base', fingerprint: fingerprint(1) }), preconditionFirst: true }, put(B, 2)]);
        assert.equal(outcome.applied, 1);
        assert.deepEqual(outcome.existed, [true, false]);
      });

      it('stamps origin writes from the clock, never lower than the previous updatedAt', async function () {
        await applied(store, 'items', [put(A, 1)], { now: at(T0) });
        assert.equal((await store.getItem('items', A))!.updatedAt, T0);
        const future = '2035-06-01T12:00:00.000Z';
        await applied(store, 'items', [put(B, 1, { kind: 'none' }, future)], { now: at(T0) });
        hasFields((await store.getItem('items', B))!, { updatedAt: future, recordedAt: T0 });
        await applied(store, 'items', [put(B, 2)], { now: at('2031-01-01T00:00:00.000Z') });
        assert.equal((await store.getItem('items', B))!.updatedAt, future);
        await applied(store, 'items', [del(A)], { now: at('2030-01-02T00:00:00.000Z') });
        assert.equal((await store.getItem('items', A))!.updatedAt, '2030-01-02T00:00:00.000Z');
        // A synced version keeps its own time, even an older one.
        await applied(store, 'items', [put(A, 9, { kind: 'none' }, '2001-01-01T00:00:00.000Z')], { now: at(T0) });
        assert.equal((await store.getItem('items', A))!.updatedAt, '2001-01-01T00:00:00.000Z');
      });

      it('gives every changed write the next seq of the node, across collections', async function () {
        const first = await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)]);
        assert.deepEqual(
          first.items.map((i) => i.seq),
          [1, 2, 3],
        );
        const other = await applied(store, 'notes', [put(A, 'note'), put(B, 'note')]);
        assert.deepEqual(
          other.items.map((i) => i.seq),
          [4, 5],
        );
        const mixed = await applied(store, 'items', [put(A, 1), put(B, 2), put(C, 1), put(A, 1)]);
        assert.equal(mixed.applied, 1);
        assert.deepEqual(
          mixed.items.map((i) => i.seq),
          [1, 6, 3, 1],
        );
        assert.equal(await store.highWater(), 6);
        assert.equal((await store.getItem('notes', A))!.data, 'note');
        assert.equal((await store.getItem('items', A))!.data, 1);
      });
    });

    describe('the checkpoint an apply answers', function () {
      it('is the high water before the apply when no since is given', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        assert.equal((await applied(store, 'items', [put(C, 1)])).checkpoint, 2);
      });

      it('is right after its own writes when nothing else was recorded after since', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        assert.equal((await applied(store, 'items', [put(C, 1), put(A, 2)], { since: 2 })).checkpoint, 4);
        // Nothing changed: still "right after", which is where the node is.
        assert.equal((await applied(store, 'items', [put(C, 1)], { since: 4 })).checkpoint, 4);
      });

      it('is since itself when someone else wrote after since, in any collection', async function () {
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'notes', [put(A, 1)]);
        assert.equal((await applied(store, 'items', [put(B, 1)], { since: 1 })).checkpoint, 1);
      });
    });

    describe('changes', function () {
      it('lists each item once, at its latest change, oldest first', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)]);
        await applied(store, 'items', [put(A, 2)]);
        await applied(store, 'notes', [put(B, 'n')]);
        const page = await store.changes('items', { limit: 10, withData: true });
        assert.deepEqual(
          page.entries.map((e) => [e.itemId, e.seq, e.data]),
          [
            [B, 2, 1],
            [C, 3, 1],
            [A, 4, 2],
          ],
        );
        hasFields(page, { hasMore: false, checkpoint: 5 });
      });

      it('leaves data out unless asked', async function () {
        await applied(store, 'items', [put(A, { x: 1 })], { now: at(T0) });
        const [entry] = (await store.changes('items', { limit: 10, withData: false })).entries;
        assert.deepEqual(entry, { itemId: A, updatedAt: T0, fingerprint: fingerprint({ x: 1 }), deleted: false, seq: 1, recordedAt: T0 });
        assert.ok(!('data' in entry));
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
        assert.deepEqual(
          seen.map((e) => e.itemId),
          many,
        );
        assert.deepEqual(
          seen.map((e) => e.seq),
          many.map((_, i) => i + 1),
        );
        assert.equal(checkpoint, 13);
        const middle = await store.changes('items', { after: 5, limit: 3, withData: false });
        assert.deepEqual(
          middle.entries.map((e) => e.seq),
          [6, 7, 8],
        );
        hasFields(middle, { hasMore: true, checkpoint: 8 });
      });

      it('resumes after a checkpoint with exactly the later changes', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1)]);
        const first = await store.changes('items', { limit: 10, withData: false });
        await applied(store, 'items', [put(A, 2), put(C, 1)]);
        const next = await store.changes('items', { after: first.checkpoint, limit: 10, withData: false });
        assert.deepEqual(
          next.entries.map((e) => e.itemId),
          [A, C],
        );
        const none = await store.changes('items', { after: next.checkpoint, limit: 10, withData: false });
        assert.deepEqual(none, { entries: [], hasMore: false, checkpoint: next.checkpoint });
      });

      it('moves an empty page to the node high water, never below the cursor', async function () {
        await applied(store, 'notes', [put(A, 1), put(B, 1)]);
        assert.equal((await store.changes('items', { limit: 10, withData: false })).checkpoint, 2);
        assert.equal((await store.changes('items', { after: 7, limit: 10, withData: false })).checkpoint, 7);
      });

      it('filters on the time this node recorded the change, inclusive, not on updatedAt', async function () {
        await applied(store, 'items', [put(A, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'items', [put(B, 1, { kind: 'none' }, '1999-01-01T00:00:00.000Z')], { now: at('2030-01-02T00:00:00.000Z') });
        await applied(store, 'items', [put(C, 1)], { now: at('2030-01-03T00:00:00.000Z') });
        const page = await store.changes('items', { recordedSince: '2030-01-02T00:00:00.000Z', limit: 10, withData: false });
        assert.deepEqual(
          page.entries.map((e) => e.itemId),
          [B, C],
        );
        const paged = await store.changes('items', { recordedSince: '2030-01-02T00:00:00.000Z', after: 2, limit: 10, withData: false });
        assert.deepEqual(
          paged.entries.map((e) => e.itemId),
          [C],
        );
      });
    });

    describe('tombstones', function () {
      it('keeps a deletion as a tombstone in the log, and a later write revives it', async function () {
        await applied(store, 'items', [put(A, { x: 1 })]);
        const outcome = await applied(store, 'items', [del(A)]);
        hasFields(outcome.items[0], { deleted: true, data: null, fingerprint: TOMBSTONE_FINGERPRINT, seq: 2 });
        const page = await store.changes('items', { limit: 10, withData: true });
        assert.deepEqual(
          page.entries.map((e) => [e.itemId, e.deleted, e.data]),
          [[A, true, null]],
        );
        await applied(store, 'items', [put(A, { x: 2 })]);
        hasFields(await store.getItem('items', A), { deleted: false, seq: 3 });
      });

      it('purges tombstones recorded before a time and raises the horizon to the highest purged seq', async function () {
        await applied(store, 'items', [put(A, 1), put(B, 1), put(C, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'items', [del(A)], { now: at('2030-01-02T00:00:00.000Z') }); // seq 4
        await applied(store, 'items', [del(B)], { now: at('2030-01-03T00:00:00.000Z') }); // seq 5
        await applied(store, 'notes', [put(A, 1)], { now: at('2030-01-01T00:00:00.000Z') });
        await applied(store, 'notes', [del(A)], { now: at('2030-01-01T00:00:00.000Z') });

        assert.equal(await store.purgeTombstones('items', '2030-01-03T00:00:00.000Z'), 1);
        assert.equal(await store.horizon('items'), 4);
        assert.equal(await store.getItem('items', A), null);
        assert.deepEqual(
          (await store.getItems('items', [A, B, C])).map((i) => i.itemId),
          [B, C],
        );
        assert.equal(await store.horizon('notes'), 0);
        hasFields(await store.getItem('notes', A), { deleted: true });

        assert.equal(await store.purgeTombstones('items', '2030-01-01T00:00:00.000Z'), 0);
        assert.equal(await store.horizon('items'), 4);
        assert.equal(await store.purgeTombstones('items', '2031-01-01T00:00:00.000Z'), 1);
        assert.equal(await store.horizon('items'), 5);
        assert.deepEqual(
          (await store.changes('items', { limit: 10, withData: false })).entries.map((e) => e.itemId),
          [C],
        );
        // Purging does not give seqs back.
        assert.equal(await store.highWater(), 7);
      });
    });

    describe('items and checkpoints', function () {
      it('gets several items in the order asked, leaving out the missing ones', async function () {
        await applied(store, 'items', [put(A, 'a'), put(B, 'b')]);
        assert.deepEqual(
          (await store.getItems('items', [B, C, A])).map((i) => i.data),
          ['b', 'a'],
        );
        assert.deepEqual(await store.getItems('items', []), []);
        assert.deepEqual(await store.getItems('notes', [A]), []);
      });

      it('lists its collections: those with items, tombstones or conflict records, sorted, each once', async function () {
        assert.deepEqual(await store.collections(), []);
        await store.getItem('unread', A);
        await applied(store, 'notes', [put(A, 1), put(B, 2)]);
        await applied(store, 'items', [put(A, 1)]);
        await applied(store, 'items', [del(A)]);
        await store.recordConflicts('Zaudit', []);
        assert.deepEqual(await store.collections(), ['items', 'notes']);
        await store.setCheckpoint('remote', 'c1');
        assert.deepEqual(await store.collections(), ['items', 'notes'], 'checkpoints are no collection');
      });

      it('keeps sync checkpoints by key', async function () {
        assert.equal(await store.getCheckpoint('remote'), null);
        await store.setCheckpoint('remote', 'c1');
        await store.setCheckpoint('other', 'x');
        await store.setCheckpoint('remote', 'c2');
        assert.equal(await store.getCheckpoint('remote'), 'c2');
        assert.equal(await store.getCheckpoint('other'), 'x');
        assert.equal(await store.highWater(), 0);
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
        assert.equal(again.id, id);
        hasFields(await again.getItem('items', A), { data: { kept: true }, seq: 1, updatedAt: T0 });
        assert.equal(await again.highWater(), 3);
        assert.equal(await again.horizon('items'), 3);
        assert.equal(await again.getCheckpoint('remote'), 'cursor');
        assert.equal((await applied(again, 'items', [put(C, 1)])).items[0]!.seq, 4);
      });
    });

    describe('watch', function () {
      /** Resolves with how many times `listener` was told, once told at least once (bounded). */
      async function told(count: () => number): Promise<number> {
        for (let i = 0; i < 200 && count() === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
        return count();
      }

      it('tells a watcher of the collection after a committed write, until stopped', async function () {
        let items = 0;
        const stop = await store.watch!('items', () => items++);
        await applied(store, 'items', [put(A, 1)]);
        assert.ok((await told(() => items)) >= 1);
        stop();
        const before = items;
        await applied(store, 'items', [put(A, 2)]);
        await new Promise((resolve) => setTimeout(resolve, 50));
        assert.equal(items, before);
      });

      it('tells a watcher of another store handle on the same data (another process)', async function () {
        if (!fixture.openAgain) this.skip();
        const other = await another();
        let items = 0;
        const stop = await store.watch!('items', () => items++);
        try {
          await applied(other, 'items', [put(A, 1)]);
          assert.ok((await told(() => items)) >= 1);
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
        assert.deepEqual(wins.map((i) => i.itemId).sort(), [...targets].sort());
        assert.deepEqual(
          wins.map((i) => i.seq).sort((x, y) => x - y),
          [4, 5, 6],
        );
        for (const o of outcomes) if (!o.ok) assert.notEqual(o.conflicts[0]!.actual, fingerprint('start'));
        for (const win of wins) assert.deepEqual(await other.getItem('items', win.itemId), win);
        assert.equal(await store.highWater(), 6);
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
        assert.deepEqual(
          seqs,
          writes.map((_, i) => i + 1),
        );
        const rest = await readAll(reader, 'items', cursor, 5);
        for (const e of rest.seen) seen.set(e.itemId, e.seq);
        assert.deepEqual([...seen.keys()].sort(), [...writes].sort());
        assert.equal(rest.checkpoint, 30);
      });
    });

    conflictAuditConformance(() => ({ store, another, canReopen: fixture.openAgain !== undefined }));
  });
}
