import type { Json } from '../protocol/types.js';
import type { StoredItem } from './store.js';

/**
 * The items table as SQLite and PostgreSQL both lay it out. `data` is the JSON text the writer
 * gave (not jsonb, which would reorder keys), `seq` the node-wide sequence number.
 */
export const ITEM_COLUMNS = 'item_id, updated_at, fingerprint, deleted, data, seq, recorded_at';

/** A row as a driver returns it: SQLite gives 0/1 and numbers, pg gives booleans and bigint strings. */
export interface ItemRow {
  item_id: string;
  updated_at: string;
  fingerprint: string;
  deleted: boolean | number;
  data: string | null;
  seq: number | string;
  recorded_at: string;
}

export function toStoredItem(row: ItemRow): StoredItem {
  return {
    itemId: row.item_id,
    updatedAt: row.updated_at,
    fingerprint: row.fingerprint,
    deleted: Boolean(row.deleted),
    data: row.data === null ? null : (JSON.parse(row.data) as Json),
    seq: Number(row.seq),
    recordedAt: row.recorded_at,
  };
}

/** A change log entry from a row, with or without its data. */
export function toEntry(row: ItemRow, withData: boolean): Omit<StoredItem, 'data'> & { data?: Json } {
  const item: Omit<StoredItem, 'data'> & { data?: Json } = toStoredItem(row);
  if (!withData) delete item.data;
  return item;
}

/** The items of `rows` in the order of `itemIds` (missing ones left out), as getItems answers. */
export function inRequestedOrder(rows: readonly ItemRow[], itemIds: readonly string[]): StoredItem[] {
  const byId = new Map(rows.map((row) => [row.item_id, toStoredItem(row)]));
  return itemIds.flatMap((id) => {
    const item = byId.get(id);
    return item ? [item] : [];
  });
}

/** The page a `changes` query answers, from up to limit + 1 rows read together with the high water. */
export function toPage(rows: readonly ItemRow[], limit: number, withData: boolean, after: number, highWater: number) {
  const hasMore = rows.length > limit;
  const entries = rows.slice(0, limit).map((row) => toEntry(row, withData));
  const checkpoint = hasMore ? entries[entries.length - 1]!.seq : Math.max(highWater, after);
  return { entries, hasMore, checkpoint };
}
