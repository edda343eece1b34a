import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../lib/protocol/cursor.js';
import { BadRequest, CursorExpired } from '../../lib/protocol/problems.js';
import { cursorOf, cursorSeq } from '../../lib/server/cursors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectRejection } from '../support/expect.js';
import { newId, put, remove } from '../support/sync.js';

describe('server/cursors', () => {
  it("makes a cursor of this store's log and reads its seq back", async () => {
    const store = new MemoryStore();
    await put(store, newId(), { n: 1 });
    await put(store, newId(), { n: 2 });
    const text = cursorOf(store, 1);
    expect(decodeCursor(text)).to.deep.equal({ storeId: store.id, seq: 1 });
    expect(await cursorSeq(store, 'items', text)).to.equal(1);
    expect(await cursorSeq(store, 'items', cursorOf(store, 2)), 'the high water itself').to.equal(2);
    expect(await cursorSeq(store, 'items', cursorOf(store, 0))).to.equal(0);
  });

  it('expires a cursor of another store, one ahead of the log, and one behind the horizon', async () => {
    const store = new MemoryStore();
    const gone = newId();
    await put(store, gone, { n: 1 });
    await remove(store, gone);
    await put(store, newId(), { n: 2 });
    await expectRejection(cursorSeq(store, 'items', cursorOf(new MemoryStore(), 1)), CursorExpired, { message: /another store/ });
    await expectRejection(cursorSeq(store, 'items', cursorOf(store, 4)), CursorExpired, { message: /ahead/ });
    await store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
    const horizon = await store.horizon('items');
    expect(horizon).to.be.greaterThan(0);
    await expectRejection(cursorSeq(store, 'items', cursorOf(store, horizon - 1)), CursorExpired, { message: /older than the tombstone retention/ });
    expect(await cursorSeq(store, 'items', cursorOf(store, horizon))).to.equal(horizon);
    // The horizon is per collection: another collection's cursors stay good.
    expect(await cursorSeq(store, 'notes', cursorOf(store, 0))).to.equal(0);
  });

  it('refuses a malformed cursor as a 400, not an expiry', async () => {
    const store = new MemoryStore();
    await expectRejection(cursorSeq(store, 'items', 'garbage!'), BadRequest, { type: 'malformed-cursor' });
    await expectRejection(cursorSeq(store, 'items', encodeCursor({ storeId: store.id, seq: 1 }).slice(0, 3)), BadRequest);
  });
});
