import { expect } from 'chai';
import { counting, DATA_SLICE } from '../../lib/client/counting.js';
import type { ReplicaEntry } from '../../lib/client/replica.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { newId, put } from '../support/sync.js';

/** A replica that reports its progress (lib/client/counting.ts), over a real store. */
describe('client/counting', () => {
  const events: string[] = [];
  const counters = { read: (n: number) => events.push(`read ${n}`), fetched: (n: number) => events.push(`fetched ${n}`) };
  beforeEach(() => (events.length = 0));

  it('counts each log page as it is read, before the next page is asked for', async () => {
    const store = new MemoryStore();
    for (let i = 0; i < 5; i++) await put(store, newId(), { i });
    const replica = counting(new StoreReplica(store, 'items', 2), counters);
    const seen: string[] = [];
    for await (const page of replica.changes(null)) seen.push(`page ${page.entries.length} after ${events.length} counts`);
    expect(seen).to.deep.equal(['page 2 after 1 counts', 'page 2 after 2 counts', 'page 1 after 3 counts']);
    expect(events).to.deep.equal(['read 2', 'read 2', 'read 1']);
  });

  it("fetches items' data in slices, counting each, and answers all of them", async () => {
    const store = new MemoryStore();
    const ids = Array.from({ length: DATA_SLICE + 50 }, newId);
    for (const [i, id] of ids.entries()) await put(store, id, { i });
    const replica = counting(new StoreReplica(store, 'items', 1000), counters);
    const entries: ReplicaEntry[] = [];
    for await (const page of replica.changes(null)) entries.push(...page.entries.map(({ data: _data, ...rest }) => rest));
    events.length = 0;
    const found = await replica.data(entries);
    expect(events).to.deep.equal([`fetched ${DATA_SLICE}`, 'fetched 50']);
    expect(found.size).to.equal(ids.length);
    expect(found.get(ids[7]!)!.data).to.deep.equal({ i: 7 });
  });

  it('leaves every other member the replica’s own, bound to it', async () => {
    const store = new MemoryStore();
    const inner = new StoreReplica(store, 'items');
    const replica = counting(inner, counters);
    expect(replica.collection).to.equal('items');
    expect(replica.description).to.equal(inner.description);
    expect(replica.peer).to.equal(inner.peer);
    const id = newId();
    await put(store, id, { a: 1 });
    // `drop` runs with `this` the inner replica (it reads this.store): a copy's would be undefined.
    const dropped = await replica.drop!([id], (await first(replica)).checkpoint);
    expect(dropped).to.equal(1);
    expect(await store.getItem('items', id)).to.equal(null);
    expect(events).to.deep.equal(['read 1']);
  });
});

async function first<T>(replica: { changes(since: null): AsyncIterable<T> }): Promise<T> {
  for await (const page of replica.changes(null)) return page;
  throw new Error('no page');
}
