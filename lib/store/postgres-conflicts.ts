import type pg from 'pg';
import type { ConflictRecord } from '../protocol/conflicts.js';
import { CONFLICT_COLUMNS, conflictValues } from './conflict-rows.js';

/**
 * The conflict audit's SQL on PostgreSQL (`<schema>.conflicts`), kept beside the store that runs
 * it so postgres.ts holds the items and their log. `s` is the quoted schema name.
 */

/** Records the audit's new records in the caller's transaction; a record already kept is kept once. */
export async function keepConflicts(client: pg.PoolClient, s: string, collection: string, records: readonly ConflictRecord[]): Promise<number> {
  if (records.length === 0) return 0;
  const values = records.map(conflictValues);
  const { rowCount } = await client.query(
    `INSERT INTO ${s}.conflicts (collection, conflict_id, item_id, decided_at, record)
     SELECT $1, r.conflict_id, r.item_id, r.decided_at, r.record
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(conflict_id, item_id, decided_at, record, n)
     ORDER BY r.n
     ON CONFLICT (collection, conflict_id) DO NOTHING`,
    [collection, ...[0, 1, 2, 3].map((i) => values.map((v) => v[i]))],
  );
  return rowCount ?? 0;
}

/** Newest first, before a position: $1 collection, $2 position or null, $3 limit. */
export const conflictsPageSql = (s: string) =>
  `SELECT ${CONFLICT_COLUMNS} FROM ${s}.conflicts WHERE collection = $1 AND ($2::bigint IS NULL OR position < $2) ORDER BY position DESC LIMIT $3`;

/** One record: $1 collection, $2 conflict id. */
export const conflictSql = (s: string) => `SELECT ${CONFLICT_COLUMNS} FROM ${s}.conflicts WHERE collection = $1 AND conflict_id = $2`;

/** Records decided before $2. decidedAt is fixed-width UTC (defs.schema.json#/$defs/timestamp): text order is time order. */
export const purgeConflictsSql = (s: string) => `DELETE FROM ${s}.conflicts WHERE collection = $1 AND decided_at < $2 COLLATE "C" RETURNING position`;
