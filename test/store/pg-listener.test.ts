import { expect } from 'chai';
import pg from 'pg';
import { CHANNEL, notification, PgListener } from '../../lib/store/pg-listener.js';
import type { Change } from '../../lib/store/store.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { until } from '../support/until.js';

/** The one LISTEN connection of a PostgreSQL store (lib/store/pg-listener.ts); its reconnect under a cut: test/store/postgres.test.ts. */
describe('store/pg-listener', function () {
  it('tells the channels of a change when they fit the payload, and only the collection otherwise', () => {
    expect(JSON.parse(notification('s', 'items', { channels: ['red'] }))).to.deep.equal(['s', 'items', ['red']]);
    const many = Array.from({ length: 2000 }, (_, i) => `channel-${i}`);
    expect(JSON.parse(notification('s', 'items', { channels: many }))).to.deep.equal(['s', 'items']);
  });

  describe('on PostgreSQL', function () {
    const schema = testSchema('listener');
    const url = process.env.HALSYNC_TEST_PG!;
    before(async function () {
      await requirePostgres(this, 'the LISTEN tests');
    });

    it('hears the notifications of its channel once listening, and nothing after close', async () => {
      const heard: Array<[string, string, Change]> = [];
      const listener = new PgListener({ connectionString: url, onNotify: (...n) => heard.push(n), onGap: () => {}, wanted: () => true });
      const sender = new pg.Client({ connectionString: url });
      await sender.connect();
      try {
        await listener.listen();
        await listener.listen(); // already listening: the same connection
        await sender.query('SELECT pg_notify($1, $2)', [CHANNEL, notification(schema.name, 'items', { channels: ['red'] })]);
        await sender.query('SELECT pg_notify($1, $2)', [CHANNEL, JSON.stringify([schema.name, 'other'])]);
        await until(() => heard.length === 2, { message: 'both notifications arrived' });
        expect(heard).to.deep.equal([
          [schema.name, 'items', { channels: ['red'] }],
          [schema.name, 'other', {}],
        ]);
        await listener.close();
        let error: unknown;
        await listener.listen().catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(Error).with.property('message', 'the store is closed');
      } finally {
        await listener.close();
        await sender.end();
      }
    });

    it('rejects listen() when the first connect fails', async () => {
      const target = new URL(url);
      target.port = '1';
      const listener = new PgListener({ connectionString: target.toString(), onNotify: () => {}, onGap: () => {}, wanted: () => true });
      let error: unknown;
      await listener.listen().catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Error);
      await listener.close();
    });
  });
});
