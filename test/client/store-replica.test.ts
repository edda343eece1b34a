import { expect } from 'chai';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { newId, put } from '../support/sync.js';

/** A local store as a replica (lib/client/store-replica.ts). */
describe('client/store-replica', () => {
  it('lists its changes page by page with data, each page a cursor the next read resumes from', async () => {
    const store = new MemoryStore();
    const ids = [newId(), newId(), newId()];
    for (const id of ids) await put(store, id, { id });
    const replica = new StoreReplica(store, 'items', 2);
    const pages = [];
    for await (const page of replica.changes(null)) pages.push(page);
    expect(pages.map((p) => p.entries.map((e) => e.itemId))).to.deep.equal([ids.slice(0, 2), ids.slice(2)]);
    expect(pages[0]!.entries[0]!.data).to.deep.equal({ id: ids[0] });
    const after = [];
    for await (const page of replica.changes(pages[0]!.checkpoint)) after.push(...page.entries.map((e) => e.itemId));
    expect(after).to.deep.equal(ids.slice(2));
  });

  it('reads a checkpoint of another store as expired: the whole log, marked restarted', async () => {
    const store = new MemoryStore();
    await put(store, newId(), { a: 1 });
    const other = new StoreReplica(new MemoryStore(), 'items');
    let foreign = '';
    for await (const page of other.changes(null)) foreign = page.checkpoint;
    const pages = [];
    for await (const page of new StoreReplica(store, 'items').changes(foreign)) pages.push(page);
    expect(pages[0]!.restarted).to.equal(true);
    expect(pages[0]!.entries).to.have.length(1);
  });

  it('applies a sync log with its preconditions, answering the conflicts of a refused one', async () => {
    const store = new MemoryStore();
    const id = newId();
    await put(store, id, { v: 1 });
    const replica = new StoreReplica(store, 'items');
    const entry = { itemId: id, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint({ v: 2 }), deleted: false, data: { v: 2 } };
    const refused = await replica.apply({ entries: [{ ...entry, base: fingerprint({ v: 'other' }) }] });
    expect(refused.ok).to.equal(false);
    if (!refused.ok) expect(refused.conflicts[0]).to.include({ itemId: id, expected: fingerprint({ v: 'other' }), actual: fingerprint({ v: 1 }) });
    const applied = await replica.apply({ entries: [{ ...entry, base: fingerprint({ v: 1 }) }] });
    expect(applied).to.include({ ok: true, applied: 1 });
    expect((await replica.data([{ ...entry }])).get(id)!.data).to.deep.equal({ v: 2 });
  });
});
