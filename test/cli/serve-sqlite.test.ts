import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../lib/store/open.js';
import { request } from '../support/http.js';
import { halsync, serve } from '../support/serve.js';
import { startNode } from '../support/server.js';
import { contents, newId, put } from '../support/sync.js';

/**
 * SQLite is the store wherever none is named: `halsync serve` and `halsync sync` both keep
 * their data in ./halsync.db, which survives a restart.
 */
describe('halsync serve and sync on SQLite', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('keeps items and log cursors across a restart of halsync serve --store sqlite:<file>', async () => {
    const store = `sqlite:${join(dir, 'node.db')}`;
    const first = serve(['--store', store, '--port', '0']);
    let url = await first.started;
    const created = await request(`${url}items`, { method: 'POST', body: { data: { n: 1 } } });
    expect(created.status).to.equal(201);
    const itemPath = new URL(created.headers.location!, url).pathname;
    const { checkpoint } = (await request(`${url}items/transactions`)).json;
    expect(await first.stop()).to.equal(0);

    const second = serve(['--store', store, '--port', '0']);
    try {
      url = await second.started;
      const item = await request(new URL(itemPath, url).href);
      expect(item.status).to.equal(200);
      expect(item.json.data).to.deep.equal({ n: 1 });
      // The cursor from before the restart still names the same place in the same log.
      const unchanged = await request(`${url}items/transactions?cursor=${checkpoint}`);
      expect(unchanged.status).to.equal(200);
      expect(unchanged.json._embedded['sync:entry']).to.deep.equal([]);
      const added = await request(`${url}items`, { method: 'POST', body: { data: { n: 2 } } });
      const after = await request(`${url}items/transactions?cursor=${checkpoint}`);
      expect(after.json._embedded['sync:entry'].map((e: { itemURI: string }) => e.itemURI)).to.deep.equal([new URL(added.headers.location!, url).href]);
    } finally {
      expect(await second.stop()).to.equal(0);
    }
  });

  it('halsync sync and halsync serve without --store both use ./halsync.db of their working directory', async () => {
    const node = await startNode();
    const ids = [newId(), newId()];
    try {
      for (const [i, id] of ids.entries()) await put(node.store, id, { i });
      const once = await halsync(['sync', node.url, '--json'], { cwd: dir });
      expect(once.code, once.stderr).to.equal(0);
      expect(JSON.parse(once.stdout)).to.include({ pulled: 2, pushed: 0 });
      // The checkpoints were kept in the same file: nothing moves the second time.
      const again = await halsync(['sync', node.url, '--json'], { cwd: dir });
      expect(JSON.parse(again.stdout)).to.include({ pulled: 0, pushed: 0 });
    } finally {
      await node.close();
    }
    const served = serve(['--port', '0'], { cwd: dir });
    const written = newId();
    try {
      const url = await served.started;
      for (const [i, id] of ids.entries()) expect((await request(`${url}items/${id}`)).json.data).to.deep.equal({ i });
      expect((await request(`${url}items/${written}`, { method: 'PUT', body: { data: { served: true } } })).status).to.equal(201);
    } finally {
      expect(await served.stop()).to.equal(0);
    }
    const store = await openStore(`sqlite:${join(dir, 'halsync.db')}`);
    try {
      expect(await contents(store)).to.deep.equal({ [ids[0]!]: { i: 0 }, [ids[1]!]: { i: 1 }, [written]: { served: true } });
    } finally {
      await store.close();
    }
  });

  it('exits 1 with one line naming the file when the SQLite file is corrupt', async () => {
    const file = join(dir, 'corrupt.db');
    await writeFile(file, Buffer.from('not a database, only garbage '.repeat(300)));
    const { code, stderr } = await serve(['--store', `sqlite:${file}`, '--port', '0']).exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
    expect(stderr)
      .to.match(/corrupt\.db/)
      .and.to.match(/not a database/);
  });

  it('exits 1 with one line when PostgreSQL refuses the connection', async () => {
    const { code, stderr } = await serve(['--store', 'postgres://127.0.0.1:1/x', '--port', '0']).exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
    expect(stderr)
      .to.match(/postgres:\/\/127\.0\.0\.1:1\/x/)
      .and.to.match(/ECONNREFUSED/);
  });
});
