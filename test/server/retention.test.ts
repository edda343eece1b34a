import { expect } from 'chai';
import { syncStore } from '../../lib/client/connect.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { parseDuration } from '../../lib/protocol/duration.js';
import { purgeExpired } from '../../lib/server/retention.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, versions } from '../support/sync.js';
import { until } from '../support/until.js';

const DAY = 86_400_000;

/** A memory store that counts finished purges of `items`, to know a purge pass ran after the clock moved. */
class CountingStore extends MemoryStore {
  purges = 0;
  override async purgeTombstones(collection: string, before: string): Promise<number> {
    try {
      return await super.purgeTombstones(collection, before);
    } finally {
      if (collection === 'items') this.purges++;
    }
  }
}

describe('server/retention: tombstone purge', () => {
  let node: StartedNode;
  let store: CountingStore;
  let now: Date;
  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00.000Z');
    store = new CountingStore();
    node = await startNode({ store, clock: () => now, tombstoneRetentionMs: 30 * DAY, purgeIntervalMs: 10 });
  });
  afterEach(async () => node.close());

  const item = (itemId: string) => `${node.url}items/${itemId}`;

  it('purges tombstones older than the retention, periodically; an older cursor then answers 410 cursor-expired', async () => {
    const [gone, kept] = [newId(), newId()];
    await request(item(gone), { method: 'PUT', body: { data: { v: 1 } } });
    const before = (await request(`${node.url}items/transactions`)).json.checkpoint;
    expect((await request(item(gone), { method: 'DELETE' })).status).to.equal(204);
    await request(item(kept), { method: 'PUT', body: { data: { v: 1 } } });

    now = new Date(now.getTime() + 29 * DAY);
    // A pass in flight may have read the old clock; the one after it read the new one.
    const purges = store.purges;
    await until(() => store.purges >= purges + 2, { message: 'a purge pass ran at the new time' });
    expect((await request(`${node.url}items/transactions?cursor=${before}`)).status, 'not yet: the tombstone is 29 days old').to.equal(200);

    now = new Date(now.getTime() + 2 * DAY);
    await until(async () => (await node.store.horizon('items')) > 0, { message: 'the periodic purge ran' });
    expectProblem(await request(`${node.url}items/transactions?cursor=${before}`), 410, 'cursor-expired');
    const whole = await request(`${node.url}items/transactions`);
    expect(whole.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([kept]);
    expect((await request(item(gone))).status).to.equal(404);
  });

  it('a stale client resyncs in full, reports it, and drops the purged item it still holds (DESIGN §3)', async () => {
    const [deleted, edited] = [newId(), newId()];
    await request(item(deleted), { method: 'PUT', body: { data: { doomed: true } } });
    await request(item(edited), { method: 'PUT', body: { data: { v: 1 } } });
    const stale = new MemoryStore();
    // A second client that saw the deletion before the purge.
    const fresh = new MemoryStore();
    expect((await syncStore(stale, node.url)).pulled).to.equal(2);
    await syncStore(fresh, node.url);

    await request(item(deleted), { method: 'DELETE' });
    await request(item(edited), { method: 'PUT', body: { data: { v: 2 } } });
    await syncStore(fresh, node.url);
    expect((await contents(fresh))[deleted], 'the fresh client holds the tombstone').to.deep.equal(null);
    now = new Date(now.getTime() + 31 * DAY);
    await until(async () => (await node.store.horizon('items')) > 0, { message: 'the periodic purge ran' });

    const report = await syncStore(stale, node.url);
    expect(report.fullResync).to.equal(true);
    // The stale client had not changed the item since its checkpoint: the node forgot it, so
    // it is dropped here as a removal instead of coming back there; the later edit arrives.
    expect(report.dropped).to.equal(1);
    expect((await contents(stale))[edited]).to.deep.equal({ v: 2 });
    expect(await contents(stale)).to.not.have.property(deleted);
    expect(await contents(node.store)).to.not.have.property(deleted);
    expect(await versions(stale)).to.deep.equal(await versions(node.store));
    expect((await request(item(deleted))).status).to.equal(404);

    // The client that synced the deletion before the purge keeps its tombstone; nothing comes back.
    const again = await syncStore(fresh, node.url);
    expect(again.fullResync).to.equal(false);
    expect((await contents(fresh))[deleted]).to.deep.equal(null);
  });
});

describe('server/retention: purgeExpired and parseDuration', () => {
  it('purgeExpired purges each named collection and parseDuration reads the usual units', async () => {
    expect(parseDuration('30d')).to.equal(30 * DAY);
    expect(parseDuration('12h')).to.equal(12 * 3_600_000);
    expect(parseDuration('90s')).to.equal(90_000);
    expect(parseDuration('250ms')).to.equal(250);
    expect(parseDuration('2w')).to.equal(14 * DAY);
    for (const bad of ['', '0d', '-1d', '3 days', 'd']) expect(() => parseDuration(bad), bad).to.throw(/not a duration/);
    const store = new MemoryStore();
    const at = () => new Date('2030-01-01T00:00:00.000Z');
    for (const collection of ['items', 'notes']) {
      await store.apply(
        collection,
        [{ itemId: newId(), data: null, deleted: true, fingerprint: fingerprint(null), updatedAt: at().toISOString(), precondition: { kind: 'none' } }],
        { now: at },
      );
    }
    const counts = await purgeExpired(store, ['items', 'notes'], DAY, new Date('2030-01-03T00:00:00.000Z'));
    expect([...counts]).to.deep.equal([
      ['items', 1],
      ['notes', 1],
    ]);
  });
});
