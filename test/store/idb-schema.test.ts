import { expect } from 'chai';
import { rowsOf, type ItemRecord } from '../../lib/store/idb-schema.js';

interface Range {
  lower: [string, string];
  upper: [string, string];
}

/** IndexedDB exists only in a browser: a key range stand-in for Node, so rowsOf's batching runs here. */
const globals = globalThis as { IDBKeyRange?: unknown };
const hadRange = 'IDBKeyRange' in globals;

function record(itemId: string): ItemRecord {
  return { collection: 'notes', itemId } as ItemRecord;
}

/** A fake object store holding these ids of `notes`, counting requests. */
function storeOf(ids: string[]) {
  const calls = { keys: 0, gets: [] as string[] };
  return {
    calls,
    store: {
      async getAllKeys(range: IDBKeyRange, count: number): Promise<[string, string][]> {
        calls.keys++;
        const { lower, upper } = range as unknown as Range;
        return ids
          .filter((id) => id >= lower[1] && id <= upper[1])
          .sort()
          .slice(0, count)
          .map((id): [string, string] => ['notes', id]);
      },
      async get(key: [string, string]): Promise<ItemRecord | undefined> {
        calls.gets.push(key[1]);
        return ids.includes(key[1]) ? record(key[1]) : undefined;
      },
    },
  };
}

/** IdbStore's batched reads (lib/store/idb-schema.ts); its database in Chromium: test/store/idb.test.ts. */
describe('store/idb-schema rowsOf', () => {
  before(() => {
    if (!hadRange) globals.IDBKeyRange = { bound: (lower: unknown, upper: unknown) => ({ lower, upper }) };
  });
  after(() => {
    if (!hadRange) delete globals.IDBKeyRange;
  });

  it('makes no request for no ids', async () => {
    const { store, calls } = storeOf(['a']);
    expect((await rowsOf(store, 'notes', [])).size).to.equal(0);
    expect(calls.keys).to.equal(0);
  });

  it('reads only the ids found in the span', async () => {
    const { store, calls } = storeOf(['b', 'd']);
    const rows = await rowsOf(store, 'notes', ['d', 'a', 'b', 'c']);
    expect([...rows.keys()].sort()).to.deep.equal(['b', 'd']);
    expect(calls.gets.sort()).to.deep.equal(['b', 'd']);
  });

  it('reads every id when the span holds too many keys', async () => {
    const held = Array.from({ length: 20 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    const { store, calls } = storeOf(held);
    const rows = await rowsOf(store, 'notes', ['k00', 'k19', 'zz']);
    expect([...rows.keys()].sort()).to.deep.equal(['k00', 'k19']);
    expect(calls.gets.sort()).to.deep.equal(['k00', 'k19', 'zz']);
  });
});
