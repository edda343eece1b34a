import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PostgresStore } from '../../lib/store/postgres.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { canonicalJson, fingerprint } from '../../lib/protocol/fingerprint.js';
import { newId, put } from '../support/sync.js';
import { storeConformance } from './conformance.js';
import { until } from '../support/until.js';

describe('PostgreSQL', function () {
  before(async function () {
    await requirePostgres(this, 'the PostgreSQL store tests');
  });

  storeConformance('postgres', async () => {
    const schema = testSchema();
    return {
      store: await PostgresStore.open(schema.url),
      openAgain: () => PostgresStore.open(schema.url),
      dispose: () => schema.drop(),
      keepsJsonText: true,
    };
  });

  describe('items', function () {
    const schema = testSchema('canonical');
    after(() => schema.drop());

    it('keeps data written with unsorted keys as its canonical JSON text, and reads it back equal', async function () {
      const store = await PostgresStore.open(schema.url);
      const itemId = newId();
      const data = { title: 'x', amount: 12.5, tags: ['b', 'a'], nested: { z: true, '10': 1, '9': 2 } };
      const admin = new pg.Client({ connectionString: process.env.HALSYNC_TEST_PG });
      try {
        await put(store, itemId, data);
        await admin.connect();
        const { rows } = await admin.query<{ data: string }>(`SELECT data FROM "${schema.name}".items WHERE collection = $1 AND item_id = $2`, [
          'items',
          itemId,
        ]);
        expect(rows[0]!.data).to.equal('{"amount":12.5,"nested":{"10":1,"9":2,"z":true},"tags":["b","a"],"title":"x"}');
        expect(rows[0]!.data).to.equal(canonicalJson(data));
        const item = await store.getItem('items', itemId);
        expect(item!.data).to.deep.equal(data);
        expect(fingerprint(item!.data)).to.equal(item!.fingerprint);
      } finally {
        await admin.end();
        await store.close();
      }
    });
  });

  describe('schema creation', function () {
    const schema = testSchema('create');
    after(() => schema.drop());

    it('is safe when several processes open a new database at once', async function () {
      const stores = await Promise.all(Array.from({ length: 6 }, () => PostgresStore.open(schema.url)));
      try {
        const id = stores[0]!.id;
        for (const store of stores) if (store.id !== id) throw new Error(`store ids differ: ${store.id} and ${id}`);
      } finally {
        await Promise.all(stores.map((store) => store.close()));
      }
    });
  });

  describe('schema migration', function () {
    const schema = testSchema('migrate');
    after(() => schema.drop());

    it('brings a version 2 schema (before channels) up: its items have none, and scoped logs work at once', async function () {
      const first = await PostgresStore.open(schema.url);
      const itemId = newId();
      await put(first, itemId, { old: true });
      await first.close();
      const admin = new pg.Client({ connectionString: process.env.HALSYNC_TEST_PG });
      await admin.connect();
      const s = `"${schema.name}"`;
      try {
        // What a version 2 halsync left behind.
        await admin.query(`DROP TABLE ${s}.memberships; ALTER TABLE ${s}.items DROP COLUMN channels; UPDATE ${s}.node SET schema_version = 2`);
        const again = await PostgresStore.open(schema.url);
        try {
          expect((await again.getItem('items', itemId))!.channels).to.deep.equal([]);
          expect((await again.changes('items', { limit: 5, withData: false, channels: ['a'] })).entries).to.deep.equal([]);
          const data = { now: 'a' };
          await again.apply('items', [
            { itemId, data, fingerprint: fingerprint(data), deleted: false, updatedAt: null, precondition: { kind: 'none' }, channels: ['a'] },
          ]);
          expect((await again.changes('items', { after: 1, limit: 5, withData: false, channels: ['a'] })).entries.map((e) => e.itemId)).to.deep.equal([itemId]);
        } finally {
          await again.close();
        }
        expect((await admin.query(`SELECT schema_version FROM ${s}.node`)).rows).to.deep.equal([{ schema_version: 3 }]);
      } finally {
        await admin.end();
      }
    });
  });

  describe('watch after the LISTEN connection is lost', function () {
    this.timeout(15000);
    const schema = testSchema('relisten');
    // Its own application_name, so the test terminates this store's listener and no other.
    const app = `halsync_relisten_${randomBytes(4).toString('hex')}`;
    after(() => schema.drop());

    it('reconnects while watched, and tells the watcher of a write made after the loss', async function () {
      const url = new URL(schema.url);
      url.searchParams.set('application_name', app);
      const watched = await PostgresStore.open(url.toString());
      const writer = await PostgresStore.open(schema.url);
      const admin = new pg.Client({ connectionString: process.env.HALSYNC_TEST_PG });
      await admin.connect();
      try {
        let told = 0;
        const off = await watched.watch!('items', () => told++);
        const { rows } = await admin.query(
          "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'",
          [app],
        );
        expect(rows).to.deep.equal([{ ended: true }]);
        // The loss itself is told at once (notifications may have been missed): wait for it, then count afresh.
        await until(() => told > 0, { message: 'the watcher is told of the lost connection' });
        await until(
          async () => (await admin.query("SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND query LIKE 'LISTEN%'", [app])).rowCount === 1,
          { message: 'the store LISTENs again' },
        );
        told = 0;
        await put(writer, newId(), { after: 'reconnect' });
        await until(() => told > 0, { message: 'the watcher is told of a write after the reconnect' });
        off();
      } finally {
        await admin.end();
        await writer.close();
        await watched.close();
      }
    });
  });
});
