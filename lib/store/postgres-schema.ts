import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** The tables of PostgresStore (lib/store/postgres.ts), and its statements on the memberships (lib/store/scopes.ts). */

/**
 * Bumped with every change to the tables below. Every statement of the schema is idempotent
 * (IF NOT EXISTS), so opening an older database adds what it lacks and raises `node.schema_version`.
 */
export const SCHEMA_VERSION = 3;

/** Every table and index, in the schema `s` (quoted). */
export function schemaSql(s: string): string {
  return `
  CREATE SCHEMA IF NOT EXISTS ${s};
  CREATE TABLE IF NOT EXISTS ${s}.node (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    store_id uuid NOT NULL,
    schema_version integer NOT NULL,
    seq bigint NOT NULL
  );
  CREATE TABLE IF NOT EXISTS ${s}.items (
    collection text NOT NULL,
    item_id text NOT NULL,
    updated_at text NOT NULL,
    fingerprint text NOT NULL,
    deleted boolean NOT NULL,
    data text,
    seq bigint NOT NULL UNIQUE,
    recorded_at text NOT NULL,
    PRIMARY KEY (collection, item_id)
  );
  CREATE INDEX IF NOT EXISTS items_log ON ${s}.items (collection, seq);
  CREATE TABLE IF NOT EXISTS ${s}.horizons (collection text PRIMARY KEY, seq bigint NOT NULL);
  CREATE TABLE IF NOT EXISTS ${s}.checkpoints (key text PRIMARY KEY, value text NOT NULL);
  CREATE TABLE IF NOT EXISTS ${s}.conflicts (
    position bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    collection text NOT NULL,
    conflict_id text NOT NULL,
    item_id text NOT NULL,
    decided_at text NOT NULL,
    record text NOT NULL,
    restored_side text,
    restored_at text,
    UNIQUE (collection, conflict_id)
  );
  CREATE INDEX IF NOT EXISTS conflicts_page ON ${s}.conflicts (collection, position);
  -- Version 3, channels (lib/store/scopes.ts; the same layout as SQLite's): items written before have none.
  ALTER TABLE ${s}.items ADD COLUMN IF NOT EXISTS channels text NOT NULL DEFAULT '[]';
  CREATE TABLE IF NOT EXISTS ${s}.memberships (
    collection text NOT NULL,
    channel text NOT NULL,
    item_id text NOT NULL,
    seq bigint NOT NULL,
    member boolean NOT NULL,
    recorded_at text NOT NULL,
    PRIMARY KEY (collection, channel, item_id)
  );
  CREATE INDEX IF NOT EXISTS memberships_log ON ${s}.memberships (collection, channel, seq) INCLUDE (member, item_id, recorded_at);
  CREATE INDEX IF NOT EXISTS memberships_left ON ${s}.memberships (collection, recorded_at) WHERE NOT member;`;
}

/**
 * Each granted channel's first places (lib/store/scopes.ts), one index range each: its
 * memberships after the cursor in seq order, either true (the item's latest change) or the
 * item's last exit from the grant (no true membership of it, no later exit from it).
 * $1 collection, $2 the grant's channels, $3 after, $4 recordedSince, $5 whether to list removals, $6 how many.
 */
export function placementsSql(s: string): string {
  return `SELECT p.* FROM unnest($2::text[]) AS g(channel) CROSS JOIN LATERAL (
           SELECT m.item_id, m.seq, m.member, m.recorded_at FROM ${s}.memberships AS m
           WHERE m.collection = $1 AND m.channel = g.channel AND m.seq > $3 AND ($4::text IS NULL OR m.recorded_at >= $4 COLLATE "C")
             AND (m.member OR ($5 AND NOT EXISTS (
               SELECT 1 FROM ${s}.memberships AS o WHERE o.collection = $1 AND o.item_id = m.item_id
                 AND o.channel = ANY($2::text[]) AND (o.member OR o.seq > m.seq))))
           ORDER BY m.seq LIMIT $6) AS p`;
}

/** Upserts an apply's memberships: $1 collection, then arrays of channel, item_id, seq, member, recorded_at. */
export function joinSql(s: string): string {
  return `INSERT INTO ${s}.memberships (collection, channel, item_id, seq, member, recorded_at)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::bigint[], $5::boolean[], $6::text[])
       ON CONFLICT (collection, channel, item_id) DO UPDATE SET seq = excluded.seq, member = excluded.member, recorded_at = excluded.recorded_at`;
}

/**
 * Creates what `schema` (quoted: `s`) lacks and answers the store id. Two processes starting on a
 * fresh database would otherwise race in CREATE SCHEMA, hence the advisory lock.
 */
export function createSchema(pool: pg.Pool, schema: string, s: string): Promise<string> {
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`halsync schema ${schema}`]);
    await client.query(schemaSql(s));
    await client.query(`INSERT INTO ${s}.node (store_id, schema_version, seq) VALUES ($1, $2, 0) ON CONFLICT DO NOTHING`, [randomUUID(), SCHEMA_VERSION]);
    const { rows } = await client.query(`SELECT store_id, schema_version FROM ${s}.node`);
    const version = rows[0].schema_version as number;
    if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this halsync understands (${SCHEMA_VERSION})`);
    if (version < SCHEMA_VERSION) await client.query(`UPDATE ${s}.node SET schema_version = $1`, [SCHEMA_VERSION]);
    return rows[0].store_id as string;
  });
}

export /** Runs `fn` in one transaction on one pooled connection: committed when it returns, rolled back when it throws. */
async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  // A connection whose ROLLBACK fails is in an unknown state: the pool must not hand it out again.
  let broken = false;
  // A backend cut while we hold the client: it must not go back to the pool.
  const lost = () => (broken = true);
  client.on('error', lost);
  try {
    await client.query(begin);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => (broken = true));
    throw error;
  } finally {
    client.off('error', lost);
    client.release(broken);
  }
}

/** The pool of a store's connections, set up so that no lost connection can end the process. */
export function openPool(connectionString: string): pg.Pool {
  const pool = new pg.Pool({ connectionString, connectionTimeoutMillis: 10_000 });
  // An idle client whose server goes away emits 'error' on the pool, which would otherwise
  // kill the process; the pool drops that client and the next query reports the failure.
  pool.on('error', () => {});
  // A client checked out, or just released after a failure, has no listener of the pool's:
  // a backend cut then (a restart, pg_terminate_backend) would emit an unhandled 'error' and
  // end the process. The query under way fails with that error anyway, and the pool drops the client.
  pool.on('connect', (client) => client.on('error', () => {}));
  return pool;
}
