import { expect } from 'chai';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import { LocalItems, VersionMismatch, type LocalChange } from '../../lib/store/local.js';
import type { Store } from '../../lib/store/store.js';
import { until } from '../support/until.js';

/** What each run of the suite gets: a fresh, empty store, and how to remove it once closed. */
export interface LocalFixture {
  store: Store;
  dispose(): Promise<void>;
}

const A = '00000000-0000-4000-8000-00000000c001';
const B = '00000000-0000-4000-8000-00000000c002';

/** A clock the test moves by hand. */
function clock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, set: (next: string) => (now = new Date(next)) };
}

/** The local API (lib/store/local.ts) over a store: run against memory and SQLite in Node, IndexedDB in Chromium. */
export function localItemsConformance(name: string, create: () => Promise<LocalFixture>): void {
  describe(`LocalItems over ${name}`, function () {
    let fixture: LocalFixture;
    let store: Store;

    beforeEach(async function () {
      fixture = await create();
      store = fixture.store;
    });

    afterEach(async function () {
      try {
        await store.close();
      } finally {
        await fixture.dispose();
      }
    });

    it('puts an item as an origin edit: fingerprint computed, updatedAt from the clock, seq recorded', async function () {
      const time = clock('2030-01-01T00:00:00.000Z');
      const local = new LocalItems(store, { now: time.now });
      const put = await local.put('notes', A, { text: 'hello', tags: ['x'] });
      expect(put).to.deep.equal({
        itemId: A,
        data: { text: 'hello', tags: ['x'] },
        updatedAt: '2030-01-01T00:00:00.000Z',
        fingerprint: fingerprint({ text: 'hello', tags: ['x'] }),
      });
      expect(await local.get('notes', A)).to.deep.equal(put);
      const stored = await store.getItem('notes', A);
      expect(stored).to.include({ deleted: false, seq: 1, updatedAt: '2030-01-01T00:00:00.000Z' });
      expect(await local.get('notes', B)).to.equal(null);
      expect(await local.get('other', A)).to.equal(null);
    });

    it('never stamps an edit lower than the version it replaces, a synced one from a clock ahead included', async function () {
      const time = clock('2030-01-02T00:00:00.000Z');
      const local = new LocalItems(store, { now: time.now });
      await local.put('notes', A, 1);
      time.set('2030-01-01T00:00:00.000Z');
      expect((await local.put('notes', A, 2)).updatedAt).to.equal('2030-01-02T00:00:00.000Z');
      // A version pulled by a sync, stamped by a node whose clock runs ahead.
      const ahead = '2030-06-01T00:00:00.000Z';
      const outcome = await store.apply('notes', [
        { itemId: B, data: 'synced', fingerprint: fingerprint('synced'), deleted: false, updatedAt: ahead, precondition: { kind: 'none' } },
      ]);
      expect(outcome.ok).to.equal(true);
      expect((await local.put('notes', B, 'edited')).updatedAt).to.equal(ahead);
      time.set('2030-07-01T00:00:00.000Z');
      expect((await local.put('notes', B, 'later')).updatedAt).to.equal('2030-07-01T00:00:00.000Z');
    });

    it('deletes with a tombstone that syncs, and answers whether there was a live item', async function () {
      const local = new LocalItems(store);
      await local.put('notes', A, { text: 'bye' });
      expect(await local.delete('notes', A)).to.equal(true);
      expect(await local.get('notes', A)).to.equal(null);
      expect(await store.getItem('notes', A)).to.include({ deleted: true, fingerprint: TOMBSTONE_FINGERPRINT, data: null, seq: 2 });
      expect(await local.delete('notes', A)).to.equal(false);
      expect(await local.delete('notes', B)).to.equal(false);
      expect(await store.highWater()).to.equal(2, 'deleting a tombstone or an absent item records nothing');
      await local.put('notes', A, { text: 'back' });
      expect((await local.get('notes', A))?.data).to.deep.equal({ text: 'back' });
    });

    it('writes only over the version named by ifMatch (null: create), refusing with the present version', async function () {
      const local = new LocalItems(store);
      const created = await local.put('notes', A, 'first', { ifMatch: null });
      const refused = await local.put('notes', A, 'second', { ifMatch: null }).catch((e: unknown) => e);
      expect(refused).to.be.instanceOf(VersionMismatch);
      expect((refused as VersionMismatch).status).to.equal(412);
      expect((refused as VersionMismatch).current).to.deep.equal({ updatedAt: created.updatedAt, fingerprint: created.fingerprint, deleted: false });
      expect(await local.put('notes', A, 'third', { ifMatch: fingerprint('not it') }).catch((e: unknown) => e)).to.be.instanceOf(VersionMismatch);
      const stale = await local.delete('notes', A, { ifMatch: fingerprint('not it') }).catch((e: unknown) => e);
      expect(stale).to.be.instanceOf(VersionMismatch);
      expect((await local.get('notes', A))?.data).to.equal('first');
      expect((await local.put('notes', A, 'fourth', { ifMatch: created.fingerprint })).data).to.equal('fourth');
      expect(await store.highWater()).to.equal(2);
    });

    it('refuses an itemId that is not a UUID, and data that is not JSON, writing nothing', async function () {
      const local = new LocalItems(store);
      const bad = await local.put('notes', 'note-1', 1).catch((e: unknown) => e);
      expect(bad).to.be.instanceOf(TypeError);
      expect((bad as Error).message).to.match(/UUID/);
      const notJson = await local.put('notes', A, undefined as never).catch((e: unknown) => e);
      expect(notJson).to.be.instanceOf(TypeError);
      const uppercase = await local.delete('notes', A.toUpperCase()).catch((e: unknown) => e);
      expect(uppercase).to.be.instanceOf(TypeError);
      expect(await store.highWater()).to.equal(0);
    });

    it('lists the live items of a collection, least recently changed first, across pages', async function () {
      const local = new LocalItems(store);
      const ids = Array.from({ length: 620 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
      const outcome = await store.apply(
        'notes',
        ids.map((itemId, n) => ({
          itemId,
          data: { n },
          fingerprint: fingerprint({ n }),
          deleted: false,
          updatedAt: null,
          precondition: { kind: 'none' as const },
        })),
      );
      expect(outcome.ok).to.equal(true);
      await local.put('elsewhere', A, 'not listed');
      await local.delete('notes', ids[3]!);
      await local.put('notes', ids[0]!, { n: 'last' });
      const listed = await local.list('notes');
      expect(listed).to.have.length(619);
      expect(listed.map((i) => i.itemId)).to.deep.equal([...ids.slice(1, 3), ...ids.slice(4), ids[0]]);
      expect(listed.at(-1)!.data).to.deep.equal({ n: 'last' });
      expect(listed[0]).to.deep.include({ data: { n: 1 }, fingerprint: fingerprint({ n: 1 }) });
      expect(await local.list('empty')).to.deep.equal([]);
    });

    it('tells a subscriber of every change after it subscribed, local edits and applied syncs alike, until stopped', async function () {
      const local = new LocalItems(store);
      await local.put('notes', A, 'before');
      const told: LocalChange[][] = [];
      const stop = await local.subscribe('notes', (changes) => told.push(changes));
      const seen = () => told.flat();
      await local.put('notes', B, 'new');
      await until(() => seen().some((c) => c.itemId === B), { message: 'the put of B' });
      await local.delete('notes', A);
      await store.apply('notes', [
        {
          itemId: B,
          data: 'pulled',
          fingerprint: fingerprint('pulled'),
          deleted: false,
          updatedAt: '2030-01-01T00:00:00.000Z',
          precondition: { kind: 'none' },
        },
      ]);
      await until(() => seen().some((c) => c.itemId === B && !c.deleted && c.item.data === 'pulled'), { message: 'the applied sync of B' });
      const changes = seen();
      expect(changes.map((c) => [c.itemId, c.deleted])).to.deep.equal([
        [B, false],
        [A, true],
        [B, false],
      ]);
      const first = changes[0]!;
      expect(first.deleted === false && first.item).to.deep.include({ itemId: B, data: 'new', fingerprint: fingerprint('new') });

      // After stop, nothing more: another subscriber hears the next write, this one does not.
      stop();
      const count = told.length;
      let other = 0;
      const stopOther = await local.subscribe('notes', () => other++);
      await local.put('notes', A, 'after stop');
      await local.put('elsewhere', A, 'another collection');
      await until(() => other > 0, { message: 'the second subscriber' });
      stopOther();
      expect(told.length).to.equal(count);
    });
  });
}
