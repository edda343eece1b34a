import { randomUUID } from 'node:crypto';
import type pg from 'pg';

/**
 * Bumped with every change to the tables below. Every statement of the schema is idempotent
 * (IF NOT EXISTS), so opening an older database adds what it lacks and raises `node.schema_version`.
 */
const SCHEMA_VERSION = 2;

function schemaSql(s: string): string {
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
  CREATE INDEX IF NOT EXISTS conflicts_page ON ${s}.conflicts (collection, position);`;
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
