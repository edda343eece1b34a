import { expect } from 'chai';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { readWhenChanged } from '../../lib/store/watch.js';
import { newId, put } from '../support/sync.js';

const highWater = (store: Store) => () => store.highWater();

describe('store/watch: readWhenChanged', () => {
  it('answers the first read at once when it is ready', async () => {
    const store = new MemoryStore();
    await put(store, newId(), { n: 1 });
    const started = Date.now();
    expect(await readWhenChanged(store, 'items', highWater(store), (n) => n > 0, { ms: 10_000 })).to.equal(1);
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it('wakes on a write to the watched collection and reads again', async () => {
    const store = new MemoryStore();
    let reads = 0;
    const waiting = readWhenChanged(
      store,
      'items',
      async () => (reads++, store.highWater()),
      (n) => n > 0,
      { ms: 10_000 },
    );
    // Once the first read is done the wait is subscribed (it subscribes before reading).
    while (reads === 0) await new Promise((resolve) => setImmediate(resolve));
    await put(store, newId(), { n: 1 });
    expect(await waiting).to.equal(1);
    expect(reads).to.equal(2);
  });

  it('answers the last read when the time is up, or at once when the signal aborts', async () => {
    const store = new MemoryStore();
    expect(await readWhenChanged(store, 'items', highWater(store), (n) => n > 0, { ms: 30 })).to.equal(0);
    const stop = new AbortController();
    const waiting = readWhenChanged(store, 'items', highWater(store), (n) => n > 0, { ms: 60_000, signal: stop.signal });
    stop.abort();
    expect(await waiting).to.equal(0);
  });

  it('is not woken by a write to another collection, and stops watching when done', async () => {
    const store = new MemoryStore();
    let reads = 0;
    let watching = 0;
    const watch = store.watch.bind(store);
    store.watch = async (collection, listener) => {
      const stop = await watch(collection, listener);
      watching++;
      return () => (watching--, stop());
    };
    const waiting = readWhenChanged(
      store,
      'items',
      async () => (reads++, store.highWater()),
      (n) => n >= 2,
      { ms: 10_000 },
    );
    while (reads === 0) await new Promise((resolve) => setImmediate(resolve));
    await put(store, newId(), { n: 1 }, null, 'notes');
    // A memory store tells its watchers at commit: had notes woken the wait, its read (of 1, not
    // ready) is done within this turn of the event loop, before the write to items.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reads, 'a write to notes woke a wait on items').to.equal(1);
    await put(store, newId(), { n: 2 });
    expect(await waiting).to.equal(2);
    expect(reads).to.equal(2);
    expect(watching).to.equal(0);
  });

  it('reads once, without waiting, with no time to wait or an aborted signal', async () => {
    const store = new MemoryStore();
    let reads = 0;
    const read = async () => (reads++, 0);
    expect(await readWhenChanged(store, 'items', read, () => false, { ms: 0 })).to.equal(0);
    expect(await readWhenChanged(store, 'items', read, () => false, { ms: 60_000, signal: AbortSignal.abort() })).to.equal(0);
    expect(reads).to.equal(2);
  });
});
