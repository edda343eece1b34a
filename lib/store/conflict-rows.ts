import type { ConflictRecord, Side, StoredConflict } from '../protocol/conflicts.js';

/**
 * The conflicts table as SQLite and PostgreSQL both lay it out: the record as the JSON text it
 * was given (both versions' data kept exactly), the columns a query filters on beside it, and
 * `position`, the store's own counter, which orders the audit newest first.
 */
export const CONFLICT_COLUMNS = 'position, record, restored_side, restored_at';

export interface ConflictRow {
  position: number | string;
  record: string;
  restored_side: string | null;
  restored_at: string | null;
}

export function toStoredConflict(row: ConflictRow): StoredConflict {
  const record = JSON.parse(row.record) as ConflictRecord;
  const restored = row.restored_side === null || row.restored_at === null ? null : { side: row.restored_side as Side, restoredAt: row.restored_at };
  return { ...record, position: Number(row.position), restored };
}

/** The columns an insert writes: conflict_id, item_id, decided_at, record. */
export function conflictValues(record: ConflictRecord): [string, string, string, string] {
  return [record.conflictId, record.itemId, record.decidedAt, JSON.stringify(record)];
}

/** The page a `conflicts` query answers, from up to limit + 1 rows, newest first. */
export function toConflictsPage(rows: readonly ConflictRow[], limit: number) {
  return { records: rows.slice(0, limit).map(toStoredConflict), hasMore: rows.length > limit };
}
