import { expect } from 'chai';
import { conflictId } from '../../lib/protocol/conflicts.js';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import { restoreConflict } from '../../lib/store/conflicts.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Change, Store, Write } from '../../lib/store/store.js';
import { readWhenChanged } from '../../lib/store/watch.js';
import { seededRandom } from '../support/random.js';
import { until } from '../support/until.js';

/** What the conformance suite hands this part: the store under test, and another handle on it (or itself). */
export interface ScopesFixture {
  store: Store;
  another(): Promise<Store>;
  canReopen: boolean;
}

const ids = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i + 700).padStart(12, '0')}`);
const [A, B, C, D] = ids as [string, string, string, string];
const at = (iso: string) => () => new Date(iso);

function put(itemId: string, data: Json, channels?: string[], updatedAt: string | null = null): Write {
  return { itemId, data, fingerprint: fingerprint(data), deleted: false, updatedAt, precondition: { kind: 'none' }, ...(channels ? { channels } : {}) };
}

function del(itemId: string, channels?: string[], updatedAt: string | null = null): Write {
  return {
    itemId,
    data: null,
    fingerprint: TOMBSTONE_FINGERPRINT,
    deleted: true,
    updatedAt,
    precondition: { kind: 'none' },
    ...(channels ? { channels } : {}),
  };
}

async function apply(store: Store, writes: Write[], options = {}) {
  const outcome = await store.apply('items', writes, options);
  if (!outcome.ok) throw new Error(`unexpected mismatches: ${JSON.stringify(outcome.mismatches)}`);
  return outcome;
}

/** An entry as the tests compare it: [itemId, seq] for an item, [itemId, seq, 'removed'] for a removal. */
type Seen = [string, number] | [string, number, 'removed'];

/** Every entry of the log of `grant` after `after`, read `limit` at a time, with the checks every page must pass. */
async function scopedLog(store: Store, grant: string[] | undefined, after = 0, limit = 100): Promise<{ seen: Seen[]; checkpoint: number }> {
  const seen: Seen[] = [];
  let cursor = after;
  for (let pages = 0; pages < 1000; pages++) {
    const page = await store.changes('items', { after: cursor, limit, withData: false, ...(grant ? { channels: grant } : {}) });
    expect(page.entries.length).to.be.at.most(limit);
    for (const e of page.entries) {
      expect(e.seq, 'in seq order, after the cursor').to.be.above(seen.length ? seen[seen.length - 1]![1] : cursor);
      seen.push('removed' in e ? [e.itemId, e.seq, 'removed'] : [e.itemId, e.seq]);
    }
    if (page.hasMore) expect(page.checkpoint).to.equal(page.entries[page.entries.length - 1]!.seq);
    cursor = page.checkpoint;
    if (!page.hasMore) return { seen, checkpoint: cursor };
  }
  throw new Error('paging never ended');
}

/** The scoped log part of the store conformance suite (ChangesQuery.channels, Write.channels, Change). */
export function scopedLogConformance(fixture: () => ScopesFixture): void {
  describe('scoped log (channels)', function () {
    it('keeps each version\u2019s channels as a set and gives them back on every read', async function () {
      const { store } = fixture();
      const outcome = await apply(store, [put(A, 1, ['b', 'a', 'b']), put(B, 2)]);
      expect(outcome.items.map((i) => i.channels)).to.deep.equal([['a', 'b'], []]);
      expect((await store.getItem('items', A))!.channels).to.deep.equal(['a', 'b']);
      expect((await store.getItems('items', [B, A])).map((i) => i.channels)).to.deep.equal([[], ['a', 'b']]);
      expect((await store.changes('items', { limit: 10, withData: true })).entries.map((e) => e.channels)).to.deep.equal([['a', 'b'], []]);
      await apply(store, [put(A, 3, ['c'])]);
      expect((await store.getItem('items', A))!.channels).to.deep.equal(['c']);
    });

    describe('authorize (write grants)', function () {
      // A writer granted channel "a" only, as the server builds it (lib/server/principal.ts).
      const onlyA = (current: { channels: string[] } | null, channels: readonly string[]) =>
        (current === null || current.channels.every((c) => c === 'a')) && channels.length > 0 && channels.every((c) => c === 'a');

      it('asks, for each write, the item as it stands and the channels it will have; refuses the whole apply naming the refused writes', async function () {
        const { store } = fixture();
        await apply(store, [put(A, 1, ['a']), put(B, 2, ['b'])]);
        const before = await store.highWater();
        const asked: Array<[string | null, string[]]> = [];
        const outcome = await store.apply('items', [put(A, 3, ['a']), put(B, 4, ['a']), put(C, 5, ['a', 'b']), del(A)], {
          authorize: (current, channels) => {
            asked.push([current ? current.itemId : null, [...channels]]);
            return onlyA(current, channels);
          },
        });
        expect(outcome.ok).to.equal(false);
        expect(!outcome.ok && outcome.forbidden).to.deep.equal([1, 2]);
        expect(!outcome.ok && outcome.mismatches).to.deep.equal([]);
        expect(asked).to.deep.equal([
          [A, ['a']],
          [B, ['a']],
          [null, ['a', 'b']],
          // A deletion without channels keeps the item's: that is what it will have.
          [A, ['a']],
        ]);
        expect(await store.highWater()).to.equal(before);
        expect((await store.getItem('items', A))!.data).to.equal(1);
      });

      it('refuses before the no-op rule and before any precondition', async function () {
        const { store } = fixture();
        await apply(store, [put(B, 2, ['b'])]);
        const same = await store.apply('items', [put(B, 2, ['b'])], { authorize: onlyA });
        expect(!same.ok && same.forbidden).to.deep.equal([0]);
        const stale = await store.apply('items', [{ ...put(B, 9, ['a']), precondition: { kind: 'base', fingerprint: 'f'.repeat(40) } }], { authorize: onlyA });
        expect(!stale.ok && stale.forbidden).to.deep.equal([0]);
        expect(!stale.ok && stale.mismatches).to.deep.equal([]);
      });

      it('decides on the version committed before the apply: a channel change by another writer cannot slip past it', async function () {
        const { store, another } = fixture();
        await apply(store, [put(D, 1, ['a'])]);
        // Another handle (another process's connection, for SQL stores) moves the item out of "a".
        const other = await another();
        try {
          const moved = await other.apply('items', [put(D, 2, ['b'])]);
          expect(moved.ok).to.equal(true);
        } finally {
          if (other !== store) await other.close();
        }
        const outcome = await store.apply('items', [put(D, 3, ['a'])], { authorize: onlyA });
        expect(!outcome.ok && outcome.forbidden).to.deep.equal([0]);
        expect((await store.getItem('items', D))!.data).to.equal(2);
      });

      it('lets a restore be refused the same way, recording nothing', async function () {
        const { store } = fixture();
        const local = { updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint({ n: 1 }), deleted: false, data: { n: 1 } };
        const remote = { updatedAt: '2026-01-02T00:00:00.000Z', fingerprint: fingerprint({ n: 2 }), deleted: false, data: { n: 2 } };
        const record = { itemId: A, peer: 'store:x', rule: 'newer' as const, winner: 'remote' as const, local, remote, result: remote };
        const id = conflictId('items', record);
        await apply(store, [put(A, { n: 2 }, ['b'])], { conflicts: [{ ...record, conflictId: id, decidedAt: '2026-01-02T00:00:00.000Z' }] });
        const before = await store.highWater();
        const refused = await restoreConflict(store, 'items', id, { channels: () => ['a'], authorize: onlyA }).catch((err: unknown) => err);
        expect((refused as Error).name).to.equal('RestoreForbidden');
        expect(await store.highWater()).to.equal(before);
        expect((await store.getConflict('items', id))!.restored).to.equal(null);
      });
    });

    it('shows a grant only the items whose channels meet it, each once, with the unscoped log\u2019s checkpoint', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 'a', ['a']), put(B, 'b', ['b']), put(C, 'ab', ['a', 'b']), put(D, 'none')]);
      await store.apply('notes', [put(A, 'elsewhere', ['a'])]);
      expect((await scopedLog(store, ['a'])).seen).to.deep.equal([
        [A, 1],
        [C, 3],
      ]);
      expect((await scopedLog(store, ['b', 'b'])).seen).to.deep.equal([
        [B, 2],
        [C, 3],
      ]);
      expect(await scopedLog(store, ['a', 'b', 'zz'])).to.deep.equal({
        seen: [
          [A, 1],
          [B, 2],
          [C, 3],
        ],
        checkpoint: 5,
      });
      expect(await scopedLog(store, [])).to.deep.equal({ seen: [], checkpoint: 5 });
      expect(await scopedLog(store, ['zz'], 7)).to.deep.equal({ seen: [], checkpoint: 7 });
      const page = await store.changes('items', { limit: 10, withData: true, channels: ['b'] });
      expect(page.entries[0]).to.deep.include({ itemId: B, data: 'b', channels: ['b'], deleted: false });
    });

    it('shows everything under *, items without channels too, exactly as the unscoped log', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 2), put(C, 3, ['c'])]);
      await apply(store, [put(A, 4, ['b'])]);
      const unscoped = await store.changes('items', { after: 1, limit: 10, withData: true });
      expect(await store.changes('items', { after: 1, limit: 10, withData: true, channels: ['*'] })).to.deep.equal(unscoped);
      expect(await store.changes('items', { after: 1, limit: 10, withData: true, channels: ['a', '*'] })).to.deep.equal(unscoped);
      expect(
        (await scopedLog(store, ['a', 'b', 'c'])).seen.map(([id]) => id),
        'an item without channels needs *',
      ).to.deep.equal([C, A]);
    });

    it('keeps, in a tombstone, the channels of the version it deletes', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['b'])]);
      const outcome = await apply(store, [del(A), del(B, ['x'])]);
      expect(outcome.items.map((i) => [i.deleted, i.channels])).to.deep.equal([
        [true, ['a']],
        [true, ['x']],
      ]);
      const page = await store.changes('items', { limit: 10, withData: true, channels: ['a'] });
      expect(page.entries).to.have.length(1);
      expect(page.entries[0]).to.deep.include({ itemId: A, deleted: true, data: null, channels: ['a'], seq: 3 });
      // A deletion of what this store never had (a synced tombstone) has nothing to keep.
      const synced = await apply(store, [del(C, undefined, '2030-01-01T00:00:00.000Z')]);
      expect(synced.items[0]!.channels).to.deep.equal([]);
      // Written twice in one apply: the deletion deletes the version written just before it.
      await apply(store, [put(D, 1, ['d'])]); // seq 6
      const twice = await apply(store, [put(D, 2, ['e']), del(D)]);
      expect(twice.items[1]!.channels).to.deep.equal(['e']);
      expect((await scopedLog(store, ['e'], 6)).seen).to.deep.equal([[D, 8]]);
      expect((await scopedLog(store, ['d'], 6)).seen).to.deep.equal([[D, 8, 'removed']]);
    });

    it('lists a removal once, at the change that moved the item out, to a reader whose cursor saw it; an entry to one who gains it', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['a'])], { now: at('2030-01-01T00:00:00.000Z') });
      const cursor = (await store.changes('items', { limit: 10, withData: false, channels: ['a'] })).checkpoint;
      expect(cursor).to.equal(2);
      await apply(store, [put(A, 2, ['b'])], { now: at('2030-01-02T00:00:00.000Z') }); // seq 3: A leaves a for b
      await apply(store, [put(A, 3, ['b'])], { now: at('2030-01-03T00:00:00.000Z') }); // seq 4: A changes within b

      const page = await store.changes('items', { after: cursor, limit: 10, withData: true, channels: ['a'] });
      expect(page).to.deep.equal({ entries: [{ itemId: A, removed: true, seq: 3, recordedAt: '2030-01-02T00:00:00.000Z' }], hasMore: false, checkpoint: 4 });
      expect((await scopedLog(store, ['b'], cursor)).seen).to.deep.equal([[A, 4]]);
      expect((await scopedLog(store, ['a', 'b'], cursor)).seen, 'still visible under the grant: no removal').to.deep.equal([[A, 4]]);
      expect((await scopedLog(store, ['a'], 3)).seen, 'once: not again after its place').to.deep.equal([]);
      // A time is a cursor too (the seed's `earliest`).
      const since = await store.changes('items', { recordedSince: '2030-01-02T00:00:00.000Z', limit: 10, withData: false, channels: ['a'] });
      expect(since.entries).to.deep.equal([{ itemId: A, removed: true, seq: 3, recordedAt: '2030-01-02T00:00:00.000Z' }]);
    });

    it('with dataAsJson lists the same entries and removals, the data of a live entry parsed or as its JSON text', async function () {
      const { store } = fixture();
      await apply(store, [put(A, { n: 1 }, ['a']), put(B, { n: 2 }, ['a']), put(C, { n: 3 }, ['a'])]);
      await apply(store, [put(A, { n: 4 }, ['b']), del(C)]);
      const query = { after: 1, limit: 10, withData: true, channels: ['a'] } as const;
      const parsed = await store.changes('items', query);
      const json = await store.changes('items', { ...query, dataAsJson: true });
      const asParsed = (entry: object) => {
        if (!('dataJson' in entry)) return entry;
        const { dataJson, ...rest } = entry as { dataJson: string };
        return { ...rest, data: JSON.parse(dataJson) as unknown };
      };
      expect(json.entries.map(asParsed)).to.deep.equal(parsed.entries);
      expect(json.entries.map((e) => ('removed' in e ? `-${e.itemId}` : e.itemId))).to.deep.equal([B, `-${A}`, C]);
      expect({ ...json, entries: [] }).to.deep.equal({ ...parsed, entries: [] });
    });

    it('lists no removal in a full read (no cursor): only what is visible', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['a']), put(C, 1, ['a'])]);
      await apply(store, [put(A, 2, ['b']), put(C, 2, ['c'])]);
      expect((await scopedLog(store, ['a'])).seen).to.deep.equal([[B, 2]]);
      expect((await scopedLog(store, ['a'], 0, 1)).seen).to.deep.equal([[B, 2]]);
      expect((await scopedLog(store, ['a'], 1)).seen).to.deep.equal([
        [B, 2],
        [A, 4, 'removed'],
        [C, 5, 'removed'],
      ]);
    });

    it('takes an item out of one of its channels only for the readers who lose it', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a', 'b'])]);
      await apply(store, [put(A, 2, ['b'])]);
      expect((await scopedLog(store, ['a'], 1)).seen).to.deep.equal([[A, 2, 'removed']]);
      expect((await scopedLog(store, ['b'], 1)).seen).to.deep.equal([[A, 2]]);
      expect((await scopedLog(store, ['a', 'b'], 1)).seen).to.deep.equal([[A, 2]]);
      // A deletion keeps the channels, so it is no removal: every reader sees the tombstone.
      await apply(store, [del(A)]);
      expect((await scopedLog(store, ['b'], 2)).seen).to.deep.equal([[A, 3]]);
      expect((await scopedLog(store, ['a'], 2)).seen).to.deep.equal([]);
    });

    it('brings an item that moves back into the grant back as an entry, not a removal', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['b'])]); // cursor 2: A in a
      await apply(store, [put(A, 2, ['b'])]); // seq 3, cursor 3: A in b
      await apply(store, [put(A, 3, ['a'])]); // seq 4: back in a
      expect((await scopedLog(store, ['a'], 2)).seen).to.deep.equal([[A, 4]]);
      expect((await scopedLog(store, ['a'], 3)).seen).to.deep.equal([[A, 4]]);
      expect((await scopedLog(store, ['b'], 3)).seen).to.deep.equal([[A, 4, 'removed']]);
      // In b and out again after the cursor: listed as the unscoped log lists the tombstone of
      // an item created and deleted after a cursor (the reader drops a copy it may not hold).
      expect((await scopedLog(store, ['b'], 2)).seen).to.deep.equal([[A, 4, 'removed']]);
      expect((await scopedLog(store, ['c'], 2)).seen, 'never in the grant: never listed').to.deep.equal([]);
    });

    it('pages under a grant with an exact cursor: any page size, any cursor, no skip, no repeat', async function () {
      const { store } = fixture();
      const random = seededRandom(13);
      const channels = ['a', 'b', 'c', 'd'];
      const pick = () => channels.filter(() => random() < 0.3);
      /** Each item's versions, in seq order: what the log of a grant is defined on. */
      const history = new Map<string, Array<{ seq: number; channels: string[] }>>();
      for (let round = 0; round < 12; round++) {
        const writes = Array.from({ length: 1 + Math.floor(random() * 4) }, () => {
          const id = ids[Math.floor(random() * 16)]!;
          return random() < 0.15 ? del(id) : put(id, `${round} ${random()}`, pick());
        });
        const outcome = await apply(store, writes);
        // A deletion of what never existed records nothing (and answers no item).
        for (const item of new Map(outcome.items.filter(Boolean).map((i) => [i.itemId, i])).values()) {
          const versions = history.get(item.itemId) ?? [];
          if (versions.at(-1)?.seq !== item.seq) versions.push({ seq: item.seq, channels: item.channels });
          history.set(item.itemId, versions);
        }
      }
      const highWater = await store.highWater();
      const grants = [['a'], ['b', 'c'], ['a', 'b', 'c', 'd'], ['d', 'a']];
      let removals = 0;
      for (const grant of grants) {
        for (const after of [0, 3, Math.floor(highWater / 2), highWater - 2]) {
          const expected = model(history, grant, after);
          removals += expected.filter((e) => e.length === 3).length;
          for (const limit of [1, 2, 3, 7, 100]) {
            const read = await scopedLog(store, grant, after, limit);
            const what = `grant ${grant} after ${after} limit ${limit}`;
            expect(read.checkpoint).to.equal(Math.max(highWater, after));
            if (after > 0) {
              expect(read.seen, what).to.deep.equal(expected);
              continue;
            }
            // A full read's first page lists no removal; its later pages are read with a
            // cursor, so they list those placed after it (their reader may hold the item from
            // an earlier page of a moving log; here it does not, and drops nothing).
            expect(
              read.seen.filter((e) => e.length === 2),
              what,
            ).to.deep.equal(expected);
            const removals = read.seen.filter((e) => e.length === 3);
            expect(removals, what).to.deep.equal(model(history, grant, 1).filter((e) => e.length === 3 && removals.some(([id]) => id === e[0])));
            if (limit === 100) expect(removals, what).to.deep.equal([]);
          }
        }
      }
      expect(removals, 'the history moves items out of grants').to.be.above(5);
    });

    it('purges the records of removals with the tombstone retention, and the cursors that needed them expire', async function () {
      const { store } = fixture();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['a'])], { now: at('2030-01-01T00:00:00.000Z') });
      await apply(store, [put(A, 2, ['b'])], { now: at('2030-01-02T00:00:00.000Z') }); // seq 3
      await apply(store, [del(B)], { now: at('2030-01-02T00:00:00.000Z') }); // seq 4
      await apply(store, [put(C, 1, ['a'])], { now: at('2030-01-03T00:00:00.000Z') });
      await apply(store, [put(C, 2, ['c'])], { now: at('2030-01-04T00:00:00.000Z') }); // seq 6
      expect(await store.purgeTombstones('items', '2030-01-03T00:00:00.000Z')).to.equal(1);
      expect(await store.horizon('items')).to.equal(4);
      expect((await scopedLog(store, ['a'], 4)).seen).to.deep.equal([[C, 6, 'removed']]);
      expect((await scopedLog(store, ['a'])).seen).to.deep.equal([]);
      expect((await scopedLog(store, ['b'])).seen).to.deep.equal([[A, 3]]);
      expect(await store.purgeTombstones('items', '2031-01-01T00:00:00.000Z')).to.equal(0);
      expect(await store.horizon('items'), 'a purged removal raises the horizon as a tombstone does').to.equal(6);
      expect((await scopedLog(store, ['a'], 6)).seen).to.deep.equal([]);
    });

    it('restores a losing version with the channels the collection finds in it', async function () {
      const { store } = fixture();
      const [won] = (await apply(store, [put(A, { owner: 'a', v: 2 }, ['a'])])).items;
      const lost = { updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint({ owner: 'b', v: 1 }), deleted: false, data: { owner: 'b', v: 1 } };
      const remote = { updatedAt: won!.updatedAt, fingerprint: won!.fingerprint, deleted: false, data: won!.data };
      const body = { itemId: A, peer: 'store:test', rule: 'prefer-remote' as const, winner: 'remote' as const, local: lost, remote, result: remote };
      const record = { ...body, conflictId: conflictId('items', body), decidedAt: '2030-01-01T00:00:00.000Z' };
      await store.recordConflicts('items', [record]);
      const owner = (data: Json) => [(data as { owner: string }).owner];
      const restored = await restoreConflict(store, 'items', record.conflictId, { channels: owner });
      expect(restored.item.channels).to.deep.equal(['b']);
      expect((await scopedLog(store, ['a'], 1)).seen).to.deep.equal([[A, 2, 'removed']]);
      expect((await scopedLog(store, ['b'])).seen).to.deep.equal([[A, 2]]);
    });

    it('keeps channels and removals when the store is opened again', async function () {
      const { store, another, canReopen } = fixture();
      if (!canReopen) this.skip();
      await apply(store, [put(A, 1, ['a']), put(B, 1, ['a'])]);
      await apply(store, [put(A, 2, ['b'])]);
      const again = await another();
      expect((await again.getItem('items', A))!.channels).to.deep.equal(['b']);
      expect((await scopedLog(again, ['a'], 2)).seen).to.deep.equal([[A, 3, 'removed']]);
      expect((await scopedLog(again, ['a'])).seen).to.deep.equal([[B, 2]]);
    });

    describe('watch', function () {
      it('tells a watcher every channel a change touched, those an item left included', async function () {
        const { store } = fixture();
        await apply(store, [put(A, 1, ['a', 'x'])]);
        const told: Change[] = [];
        const stop = await store.watch!('items', (change) => told.push(change));
        try {
          await apply(store, [put(A, 2, ['b', 'x']), put(B, 1, ['c'])]);
          await until(() => told.length > 0, { message: 'the watcher is told' });
          expect(told[0]).to.deep.equal({ channels: ['a', 'b', 'c', 'x'] });
          await apply(store, [put(C, 1)]);
          await until(() => told.length > 1, { message: 'the watcher is told again' });
          expect(told[1]).to.deep.equal({ channels: [] });
        } finally {
          stop();
        }
      });

      it('wakes a held scoped read only for a change it can see', async function () {
        // Written through the same handle: a SQLite store tells of another process's writes
        // without their channels (it only sees that the file changed), which wakes every reader.
        const { store } = fixture();
        const writer = store;
        let reads = 0;
        let readsDone = 0;
        const read = async () => {
          reads++;
          try {
            return await store.changes('items', { limit: 10, withData: false, channels: ['a'] });
          } finally {
            readsDone++;
          }
        };
        // An unscoped watcher beside it shows when the scoped one has been told of a change too.
        let told = 0;
        const stop = await store.watch!('items', () => told++);
        try {
          const held = readWhenChanged(store, 'items', read, (page) => page.entries.length > 0, { ms: 10_000, channels: ['a'] });
          await until(() => reads === 1, { message: 'the first read' });
          await apply(writer, [put(B, 1, ['b']), put(C, 1)]);
          // Both watchers are told in one pass of the store's feed, and a woken read starts again
          // at once: once the unscoped one was told and no read is under way, a wake would show.
          await until(() => told > 0 && readsDone === reads, { message: 'the unscoped watcher is told and the read is back' });
          expect(reads, 'not woken by a change outside its grant').to.equal(1);
          await apply(writer, [put(A, 1, ['a'])]);
          const page = await held;
          expect(page.entries.map((e) => e.itemId)).to.deep.equal([A]);
          expect(reads).to.equal(2);
        } finally {
          stop();
        }
      });
    });

    it('drop removes items unchanged since a seq, as removals: no tombstone, no log entry, no membership', async function () {
      const store = fixture().store;
      if (!store.drop) this.skip();
      await apply(store, [put(A, { n: 1 }, ['u:a']), put(B, { n: 1 }, ['u:a'])]);
      const before = await store.highWater();
      await apply(store, [put(C, { n: 1 }, ['u:a'])]);
      // C changed after `before`: kept; A and B go, D (unknown) is nothing.
      expect(await store.drop!('items', [A, B, C, D], before)).to.equal(2);
      expect(await store.getItem('items', A)).to.equal(null);
      expect(await store.getItem('items', C)).to.not.equal(null);
      expect((await scopedLog(store, undefined)).seen.map(([id]) => id)).to.deep.equal([C]);
      expect((await scopedLog(store, ['u:a'])).seen.map(([id]) => id)).to.deep.equal([C]);
      // Not a change to push: the log after the high water is empty, and the seq did not move.
      expect(await store.highWater()).to.equal(before + 1);
      expect((await scopedLog(store, ['u:a'], before + 1)).seen).to.deep.equal([]);
      // Dropped is forgotten: written again, it is a new item.
      await apply(store, [put(A, { n: 2 }, ['u:b'])]);
      expect((await scopedLog(store, ['u:b'])).seen.map(([id]) => id)).to.deep.equal([A]);
    });
  });
}

/**
 * The log of `grant` after `after`, from items' histories alone (DESIGN §7): an item whose
 * latest version the grant shows is listed at its latest seq; one it does not, when a cursor
 * is given and some change after the cursor had it in a granted channel before or after, is
 * listed as a removal at the last such change.
 */
function model(history: ReadonlyMap<string, ReadonlyArray<{ seq: number; channels: string[] }>>, grant: string[], after: number): Seen[] {
  const shows = (channels: readonly string[] | undefined) => (channels ?? []).some((c) => grant.includes(c));
  const seen: Seen[] = [];
  for (const [id, versions] of history) {
    const latest = versions[versions.length - 1]!;
    if (shows(latest.channels)) {
      if (latest.seq > after) seen.push([id, latest.seq]);
      continue;
    }
    if (after === 0) continue;
    const touching = versions.filter((v, i) => v.seq > after && (shows(v.channels) || shows(versions[i - 1]?.channels)));
    if (touching.length > 0) seen.push([id, touching[touching.length - 1]!.seq, 'removed']);
  }
  return seen.sort((x, y) => x[1] - y[1]);
}
