import { expect } from 'chai';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { expectProblem, pointers } from '../support/expect.js';
import { request } from '../support/http.js';
import { halsync, serve } from '../support/serve.js';
import { startNode } from '../support/server.js';
import { newId, put, stateFile } from '../support/sync.js';

/** A writer whose clock runs ahead: `halsync serve --max-clock-skew` refuses it, and `halsync sync` says so in one line. */
describe('halsync serve --max-clock-skew, and how halsync sync reports it', function () {
  this.timeout(20_000);

  it('refuses an entry stamped past the flag (422 clock-skew) and takes one within it', async () => {
    const node = serve(['--store', 'memory:', '--port', '0', '--max-clock-skew', '1m']);
    try {
      const url = await node.started;
      const entry = (aheadMs: number) => {
        const data = { aheadMs };
        return { itemId: newId(), updatedAt: new Date(Date.now() + aheadMs).toISOString(), fingerprint: fingerprint(data), deleted: false, data, base: null };
      };
      const refused = await request(`${url}items/transactions`, { method: 'PUT', body: { entries: [entry(120_000)] } });
      expect(pointers(expectProblem(refused, 422, 'clock-skew'))).to.deep.equal(['/entries/0/updatedAt']);
      expect((await request(`${url}items/transactions`, { method: 'PUT', body: { entries: [entry(30_000)] } })).status).to.equal(200);
    } finally {
      await node.stop();
    }
  });

  it('halsync sync fails with one line naming the clock skew, the node time and the item', async () => {
    const ahead = await startNode();
    const behind = await startNode();
    try {
      const id = newId();
      await put(ahead.store, id, { written: 'an hour ahead' }, new Date(Date.now() + 3_600_000).toISOString());
      const { code, stderr } = await halsync(['sync', ahead.url, behind.url, '--state', await stateFile()]);
      expect(code).to.equal(1);
      const lines = stderr.trim().split('\n');
      expect(lines, stderr).to.have.lengthOf(1);
      expect(lines[0]).to.match(/clock/i).and.include(id);
    } finally {
      await ahead.close();
      await behind.close();
    }
  });
});
