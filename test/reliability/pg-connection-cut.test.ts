import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { request, type Reply } from '../support/http.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { serve } from '../support/serve.js';
import { newId } from '../support/sync.js';

/**
 * `halsync serve` on PostgreSQL while its database connections are cut under it, as a restart
 * of PostgreSQL would. The server is shared with other tests, so only this node's own backends
 * are terminated: they carry an application_name no one else uses.
 */
describe('reliability: PostgreSQL connections cut under a serving node', function () {
  this.timeout(60_000);
  const schema = testSchema('cut');
  const app = `halsync_cut_${randomBytes(4).toString('hex')}`;
  let admin: pg.Client;
  before(async function () {
    await requirePostgres(this, 'the PostgreSQL connection-cut test');
    admin = new pg.Client({ connectionString: process.env.HALSYNC_TEST_PG });
    await admin.connect();
  });
  after(async () => {
    await admin?.end();
    await schema.drop();
  });

  /** Terminates every backend of this test's node (and only those); how many it ended. */
  async function cut(): Promise<number> {
    const { rows } = await admin.query(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()',
      [app],
    );
    return rows.filter((r) => r.ended).length;
  }

  it('answers 503 problems while its connections are cut, keeps serving, and applies each sync log whole or not at all', async () => {
    const url = new URL(schema.url);
    url.searchParams.set('application_name', app);
    const node = serve(['--store', url.toString(), '--port', '0']);
    try {
      const root = await node.started;
      const pairs: Array<{ ids: [string, string]; reply: Reply | string }> = [];
      let writing = true;
      const writer = async () => {
        for (let n = 0; n < 60; n++) {
          const ids: [string, string] = [newId(), newId()];
          const entries = ids.map((itemId) => ({
            itemId,
            updatedAt: '2025-01-01T00:00:00.000Z',
            fingerprint: fingerprint({ itemId }),
            deleted: false,
            data: { itemId },
            base: null,
          }));
          const pair: (typeof pairs)[number] = { ids, reply: 'pending' };
          pairs.push(pair);
          pair.reply = await request(`${root}items/transactions`, { method: 'PUT', body: { entries } }).catch((error: Error) => error.message);
          if (typeof pair.reply === 'string') break;
          const item = await request(`${root}items/${newId()}`, { method: 'PUT', body: { data: { n } } }).catch((error: Error) => error.message);
          if (typeof item === 'string' || ![201, 503].includes(item.status)) {
            pair.reply = typeof item === 'string' ? item : `item PUT answered ${item.status}: ${item.text}`;
            break;
          }
        }
      };
      let cuts = 0;
      const cutter = async () => {
        while (writing) {
          cuts += await cut();
          await new Promise((resolve) => setTimeout(resolve, 25));
        }
      };
      const cutting = cutter();
      await Promise.all(Array.from({ length: 6 }, writer));
      writing = false;
      await cutting;

      expect(node.child.exitCode, node.stderr()).to.equal(null);
      expect(cuts).to.be.greaterThan(0);
      const statuses = new Map<number, number>();
      for (const { reply } of pairs) {
        expect(reply, 'a request failed without an answer').to.not.be.a('string');
        const { status, headers } = reply as Reply;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        expect([200, 503], (reply as Reply).text).to.include(status);
        if (status === 503) {
          expect(headers['content-type']).to.match(/^application\/problem\+json/);
          expect(headers['retry-after']).to.match(/^\d+$/);
        }
      }
      expect(statuses.get(503) ?? 0, 'no request met a cut connection').to.be.greaterThan(0);

      // Nothing half-applied: each log is in the store whole (every 200 among them), or not at all.
      for (const { ids, reply } of pairs) {
        const found = await Promise.all(ids.map(async (id) => (await request(`${root}items/${id}`)).status));
        if ((reply as Reply).status === 200) expect(found).to.deep.equal([200, 200]);
        else expect([found[0], found[1]]).to.satisfy(([a, b]: number[]) => a === b);
      }
      // And it serves on: a write after the cuts succeeds.
      expect((await request(`${root}items/${newId()}`, { method: 'PUT', body: { data: { after: 'cuts' } } })).status).to.equal(201);
      expect(node.stderr()).to.not.match(/Unhandled|at .*\(/);
    } finally {
      await node.stop();
    }
  });
});
