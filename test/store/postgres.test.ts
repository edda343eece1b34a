import { PostgresStore } from '../../lib/store/postgres.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { storeConformance } from './conformance.js';

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
    };
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
});
