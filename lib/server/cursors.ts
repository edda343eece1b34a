import { createHash } from 'node:crypto';
import { ALL_CHANNELS } from '../protocol/channels.js';
import { decodeCursor, encodeCursor } from '../protocol/cursor.js';
import { CursorExpired } from '../protocol/problems.js';
import type { Store } from '../store/store.js';
import { malformedQuery } from './http/query.js';

/**
 * The server's cursors, all built on lib/protocol/cursor.ts: a transaction log's (a seq of
 * this store) and the conflict audit's (a record position of this store). Resources read
 * and write cursors only through here.
 */

/**
 * The seq a client's log cursor stands for, once it is known to belong to this store's present
 * log: from another store (a node rebuilt from scratch), ahead of the high water, or behind
 * the tombstone horizon, it could silently skip changes, so it expires and the client resyncs.
 * `grant` is the reader's read grant on the collection (lib/server/principal.ts `readGrant`;
 * undefined: unscoped): a cursor issued under other grants expires too (DESIGN §7), since
 * what it skipped was judged by grants the reader no longer holds.
 */
export async function cursorSeq(store: Store, collection: string, text: string, grant?: readonly string[]): Promise<number> {
  const cursor = decodeCursor(text);
  if (cursor.storeId !== store.id) throw new CursorExpired('the cursor belongs to another store of this node; run a full resync');
  if (cursor.grant !== grantTag(grant)) throw new CursorExpired('the cursor was issued under other read grants; run a full resync');
  if (cursor.seq > (await store.highWater())) throw new CursorExpired('the cursor is ahead of this log; run a full resync');
  if (cursor.seq < (await store.horizon(collection))) throw new CursorExpired('the cursor is older than the tombstone retention; run a full resync');
  return cursor.seq;
}

/** The log cursor of a seq of this store, for a reader holding `grant` (undefined: unscoped). */
export function cursorOf(store: Store, seq: number, grant?: readonly string[]): string {
  const tag = grantTag(grant);
  return encodeCursor(tag === undefined ? { storeId: store.id, seq } : { storeId: store.id, seq, grant: tag });
}

/**
 * A short tag of a read grant: the same for the same set of channels in any order, absent when
 * the grant shows everything (undefined or `*`), so unscoped cursors stay as they were. Half a
 * SHA-256 (64 bits): a collision would need two grants a principal moves between to collide.
 */
export function grantTag(grant: readonly string[] | undefined): string | undefined {
  if (grant === undefined || grant.includes(ALL_CHANNELS)) return undefined;
  const sorted = [...new Set(grant)].sort();
  return createHash('sha256').update(JSON.stringify(sorted), 'utf8').digest('hex').slice(0, 16);
}

/** Whether the text is a well-formed cursor (of any store). */
export function isCursor(text: string): boolean {
  try {
    decodeCursor(text);
    return true;
  } catch {
    return false;
  }
}

/** The audit cursor of a record position: a next link's `before`. */
export function auditCursorOf(store: Store, position: number): string {
  return encodeCursor({ storeId: store.id, seq: position });
}

/**
 * The position an audit cursor (query parameter `name`) stands for. Audit pages are read
 * newest first and records only go away, so a cursor of this store never expires; one of
 * another store is meaningless here.
 */
export function auditPosition(store: Store, name: string, text: string): number {
  let cursor;
  try {
    cursor = decodeCursor(text);
  } catch {
    throw malformedQuery(name, 'not a cursor of this audit (use a next link)');
  }
  if (cursor.storeId !== store.id) throw malformedQuery(name, 'a cursor of another store');
  return cursor.seq;
}
