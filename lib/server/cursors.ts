import { decodeCursor, encodeCursor } from '../protocol/cursor.js';
import { CursorExpired } from '../protocol/problems.js';
import type { Store } from '../store/store.js';

/**
 * The seq a client's cursor stands for, once it is known to belong to this store's present
 * log: from another store (a node rebuilt from scratch), ahead of the high water, or behind
 * the tombstone horizon, it could silently skip changes, so it expires and the client resyncs.
 */
export async function cursorSeq(store: Store, collection: string, text: string): Promise<number> {
  const cursor = decodeCursor(text);
  if (cursor.storeId !== store.id) throw new CursorExpired('the cursor belongs to another store of this node; run a full resync');
  if (cursor.seq > (await store.highWater())) throw new CursorExpired('the cursor is ahead of this log; run a full resync');
  if (cursor.seq < (await store.horizon(collection))) throw new CursorExpired('the cursor is older than the tombstone retention; run a full resync');
  return cursor.seq;
}

export function cursorOf(store: Store, seq: number): string {
  return encodeCursor({ storeId: store.id, seq });
}
