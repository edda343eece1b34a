import { expect } from 'chai';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { openStore } from '../../lib/store/open.js';
import { request } from '../support/http.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { serve } from '../support/serve.js';
import { contents, newId } from '../support/sync.js';

/**
 * `halsync serve` stopping while an accepted (202) sync log is being applied. On PostgreSQL
 * the job awaits the database, so a SIGTERM right after the 202 lands mid-job; on SQLite the
 * job runs in one synchronous transaction and is always done before the signal is handled.
 */
describe('halsync serve: shutdown with accepted jobs', function () {
  this.timeout(20000);
  const schema = testSchema('shutdown');
  before(async function () {
    await requirePostgres(this, 'the serve shutdown test');
  });
  after(async () => {
    if (schema.url) await schema.drop();
  });

  it('on SIGTERM right after a 202, applies the accepted sync log before closing the store, and exits 0', async () => {
    const node = serve(['--store', schema.url, '--port', '0']);
    const url = await node.started;
    const logUrl = `${url}items/transactions`;
    const since = (await request(logUrl)).json.checkpoint as string;
    // Entries without base, against the log's checkpoint: the job reads the store before it writes.
    const entries = Array.from({ length: 5000 }, (_, n) => {
      const data = { n, text: 'x'.repeat(200) };
      return { itemId: newId(), updatedAt: '2025-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data };
    });
    const accepted = await request(logUrl, { method: 'PUT', headers: { Prefer: 'respond-async' }, body: { since, entries } });
    expect(accepted.status).to.equal(202);
    expect(await node.stop(), node.stderr()).to.equal(0);

    const reopened = await openStore(schema.url);
    try {
      const items = await contents(reopened);
      expect(Object.keys(items)).to.have.lengthOf(entries.length);
      expect(items[entries[4999]!.itemId]).to.deep.equal(entries[4999]!.data);
    } finally {
      await reopened.close();
    }
  });
});
