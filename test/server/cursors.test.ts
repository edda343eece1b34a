import { expect } from 'chai';
import { encodeCursor } from '../../lib/protocol/cursor.js';
import { CursorExpired, HalsyncError } from '../../lib/protocol/problems.js';
import { auditCursorOf, auditPosition, cursorOf, cursorSeq, isCursor } from '../../lib/server/cursors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';

async function failure(run: () => Promise<unknown>): Promise<HalsyncError> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).to.be.instanceOf(HalsyncError);
  return error as HalsyncError;
}

describe('server/cursors', () => {
  it('a log cursor of this store reads back as its seq, within the log', async () => {
    const store = new MemoryStore();
    const data = { n: 1 };
    await store.apply('items', [
      { itemId: '00000000-0000-4000-8000-000000000001', deleted: false, data, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } },
    ]);
    expect(await cursorSeq(store, 'items', cursorOf(store, 0))).to.equal(0);
    expect(await cursorSeq(store, 'items', cursorOf(store, 1))).to.equal(1);
    expect(isCursor(cursorOf(store, 1))).to.equal(true);
    expect(isCursor('not a cursor')).to.equal(false);
  });

  it('a log cursor of another store, or ahead of the log, expires; a malformed one is a 400', async () => {
    const store = new MemoryStore();
    const other = encodeCursor({ storeId: new MemoryStore().id, seq: 0 });
    expect(await failure(() => cursorSeq(store, 'items', other))).to.be.instanceOf(CursorExpired);
    expect(await failure(() => cursorSeq(store, 'items', cursorOf(store, 5)))).to.be.instanceOf(CursorExpired);
    expect((await failure(() => cursorSeq(store, 'items', '!!'))).toProblem()).to.include({ status: 400, type: 'malformed-cursor' });
  });

  it('an audit cursor reads back as its position for this store only', () => {
    const store = new MemoryStore();
    expect(auditPosition(store, 'before', auditCursorOf(store, 42))).to.equal(42);
    expect(() => auditPosition(store, 'before', auditCursorOf(new MemoryStore(), 42))).to.throw('query parameter before: a cursor of another store');
    expect(() => auditPosition(store, 'before', 'zz*')).to.throw('query parameter before: not a cursor of this audit');
  });

  it('a log cursor behind the tombstone horizon of its collection expires; other collections keep theirs', async () => {
    const store = new MemoryStore();
    const gone = '00000000-0000-4000-8000-000000000002';
    const write = (data: { n: number } | null) => ({
      itemId: gone,
      deleted: data === null,
      data,
      fingerprint: fingerprint(data),
      updatedAt: null,
      precondition: { kind: 'none' as const },
    });
    await store.apply('items', [write({ n: 1 })]);
    await store.apply('items', [write(null)]);
    await store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
    const horizon = await store.horizon('items');
    expect(horizon).to.be.greaterThan(0);
    const expired = await failure(() => cursorSeq(store, 'items', cursorOf(store, horizon - 1)));
    expect(expired).to.be.instanceOf(CursorExpired);
    expect(expired.message).to.match(/older than the tombstone retention/);
    expect(await cursorSeq(store, 'items', cursorOf(store, horizon))).to.equal(horizon);
    expect(await cursorSeq(store, 'notes', cursorOf(store, 0))).to.equal(0);
  });
});
