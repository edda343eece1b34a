import { canonicalJson } from '../protocol/fingerprint.js';
import type { Json } from '../protocol/types.js';
import type { Placement } from './scopes.js';
import type { StoredEntry, StoredItem } from './store.js';

/**
 * The items table as SQLite and PostgreSQL both lay it out. `data` is the canonical JSON text of
 * the writer's data (text, not jsonb, which has an order of its own), `seq` the node-wide sequence
 * number, `channels` a JSON array of the version's channels (what a read returns; queries use the
 * memberships).
 */
export const ITEM_COLUMNS = 'item_id, updated_at, fingerprint, deleted, data, seq, recorded_at, channels';

/** A row as a driver returns it: SQLite gives 0/1 and numbers, pg gives booleans and bigint strings. */
export interface ItemRow {
  item_id: string;
  updated_at: string;
  fingerprint: string;
  deleted: boolean | number;
  data: string | null;
  seq: number | string;
  recorded_at: string;
  channels: string;
}

/**
 * A row a driver gave as the array of its ITEM_COLUMNS values: better-sqlite3 builds arrays
 * (its raw mode) in about half the time it builds objects, and a log page reads a thousand rows.
 */
export function rowOf(values: readonly unknown[]): ItemRow {
  const [item_id, updated_at, fingerprint, deleted, data, seq, recorded_at, channels] = values as [
    string,
    string,
    string,
    number,
    string | null,
    number,
    string,
    string,
  ];
  return { item_id, updated_at, fingerprint, deleted, data, seq, recorded_at, channels };
}

/** A memberships row (lib/store/scopes.ts) as a driver returns it. */
export interface MembershipRow {
  item_id: string;
  seq: number | string;
  member: boolean | number;
  recorded_at: string;
}

export function toPlacement(row: MembershipRow): Placement {
  return { itemId: row.item_id, seq: Number(row.seq), member: Boolean(row.member), recordedAt: row.recorded_at };
}

/**
 * The values a row of `items` is written with, after its collection, in ITEM_COLUMNS order.
 * `data` as canonical JSON: parsed back, its keys are in canonical order (integer-like ones
 * aside, which JSON.parse lists first), so every log page the node serves carries it so, and
 * whoever checks its fingerprint (the next process, a pulling node) takes canonicalJson's fast
 * path instead of the library's sort. `dataJson` is that text when the writer had it already
 * (Write.dataJson).
 */
export function itemValues(row: StoredItem, dataJson?: string): [string, string, string, boolean, string | null, number, string, string] {
  return [
    row.itemId,
    row.updatedAt,
    row.fingerprint,
    row.deleted,
    row.deleted ? null : (dataJson ?? canonicalJson(row.data)),
    row.seq,
    row.recordedAt,
    JSON.stringify(row.channels),
  ];
}

export function toStoredItem(row: ItemRow): StoredItem {
  return { ...versionRecord(row), data: row.data === null ? null : (JSON.parse(row.data) as Json) };
}

/** Everything of a row but its data. */
function versionRecord(row: ItemRow): Omit<StoredItem, 'data'> {
  return {
    itemId: row.item_id,
    updatedAt: row.updated_at,
    fingerprint: row.fingerprint,
    deleted: Boolean(row.deleted),
    seq: Number(row.seq),
    recordedAt: row.recorded_at,
    channels: JSON.parse(row.channels) as string[],
  };
}

/** How a log entry carries its data: not at all, parsed (`data`), or as the stored text (`dataJson`, see ChangesQuery.dataAsJson). */
export type EntryData = 'none' | 'parsed' | 'json';

/** What a changes query asks of its entries' data. */
export function entryData(query: { withData: boolean; dataAsJson?: boolean }): EntryData {
  if (!query.withData) return 'none';
  return query.dataAsJson ? 'json' : 'parsed';
}

/** A change log entry from a row: its data left out, parsed, or handed through as the stored text (a tombstone's is null). */
export function toEntry(row: ItemRow, data: EntryData): StoredEntry {
  if (data === 'parsed') return toStoredItem(row);
  const entry: StoredEntry = versionRecord(row);
  if (data === 'json') {
    if (row.data === null) entry.data = null;
    else entry.dataJson = row.data;
  }
  return entry;
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
export function toPage(rows: readonly ItemRow[], limit: number, data: EntryData, after: number, highWater: number) {
  const hasMore = rows.length > limit;
  const entries = rows.slice(0, limit).map((row) => toEntry(row, data));
  const checkpoint = hasMore ? entries[entries.length - 1]!.seq : Math.max(highWater, after);
  return { entries, hasMore, checkpoint };
}
