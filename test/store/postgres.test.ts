import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../lib/store/postgres.js';
import { storeConformance } from './conformance.js';

/**
 * PostgreSQL from HALSYNC_TEST_PG. Each test gets its own schema (this run's random prefix
 * plus a counter), dropped after the test. Under CI a missing or unreachable server fails the
 * run; elsewhere these tests are skipped, saying why.
 */
const url = process.env.HALSYNC_TEST_PG;
const run = `halsync_test_${randomBytes(4).toString('hex')}`;
let schemas = 0;

function withSchema(schema: string): string {
  const target = new URL(url!);
  target.searchParams.set('schema', schema);
  return target.toString();
}

async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

describe('PostgreSQL', function () {
  before(async function () {
    const unavailable = (reason: string) => {
      if (process.env.CI === 'true') throw new Error(`PostgreSQL tests cannot run under CI: ${reason}`);
      console.log(`    skipping the PostgreSQL store tests: ${reason}`);
      this.skip();
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
  });

  storeConformance('postgres', async () => {
    const schema = `${run}_${++schemas}`;
    return {
      store: await PostgresStore.open(withSchema(schema)),
      openAgain: () => PostgresStore.open(withSchema(schema)),
      dispose: () => dropSchema(schema),
    };
  });

  describe('schema creation', function () {
    const schema = `${run}_create`;
    after(() => dropSchema(schema));

    it('is safe when several processes open a new database at once', async function () {
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(withSchema(schema))));
      try {
        const id = stores[0]!.id;
        for (const store of stores) if (store.id !== id) throw new Error(`store ids differ: ${store.id} and ${id}`);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });
});
