import { randomBytes } from 'node:crypto';
import type { Context } from 'mocha';
import pg from 'pg';

/**
 * PostgreSQL for tests, from HALSYNC_TEST_PG. Each test takes its own schema (this run's
 * random prefix plus a name) and drops it afterwards. Under CI a missing or unreachable
 * server fails the run; elsewhere the tests are skipped, saying why.
 */
const url = process.env.HALSYNC_TEST_PG;
const run = `halsync_test_${randomBytes(4).toString('hex')}`;
let schemas = 0;

/** For a `before` hook: skips the suite (or, under CI=true, fails it) when PostgreSQL cannot be used. */
export async function requirePostgres(context: Context, what: string): Promise<void> {
  const unavailable = (reason: string) => {
    if (process.env.CI === 'true') throw new Error(`${what} cannot run under CI: ${reason}`);
    console.log(`    skipping ${what}: ${reason}`);
    context.skip();
  };
  if (!url) return unavailable('HALSYNC_TEST_PG is not set (e.g. postgres://postgres@127.0.0.1:5432/test)');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    return unavailable(`${url} is unreachable: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
}

export interface TestSchema {
  name: string;
  /** The store URL: HALSYNC_TEST_PG with `schema` set. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A fresh schema name for this run (the store creates it on first open). Safe to call while
 * mocha loads the suites, before requirePostgres has run: without a server the URL is empty.
 */
export function testSchema(tag = String(++schemas)): TestSchema {
  const name = `${run}_${tag}`;
  const target = url ? new URL(url) : undefined;
  target?.searchParams.set('schema', name);
  return { name, url: target?.toString() ?? '', drop: () => dropSchema(name) };
}

/** Drops a schema and all in it, on the test database or the one `at` names. */
export async function dropSchema(schema: string, at = url): Promise<void> {
  const client = new pg.Client({ connectionString: at });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
