import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from '../support/http.js';
import { redacted } from '../../lib/cli/serve.js';
import { serve } from '../support/serve.js';
import { startNode } from '../support/server.js';

describe('halsync serve', function () {
  this.timeout(20000);
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-serve-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('serves a memory store, prints its URL, answers / and exits 0 on SIGTERM', async () => {
    const node = serve(['--store', 'memory:', '--port', '0']);
    const url = await node.started;
    const root = await request(url);
    expect(root.status).to.equal(200);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items']);
    node.child.kill('SIGTERM');
    expect((await node.exited).code).to.equal(0);
  });

  it('prints its URL and its store on start, a password in the store URL redacted', async () => {
    const node = serve(['--store', 'sqlite:./served.db', '--port', '0'], { cwd: dir });
    const url = await node.started;
    await node.stop();
    expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(node.stdout().split('\n')[0]).to.equal(`halsync serving items at ${url} from sqlite:./served.db`);
    expect(redacted('postgres://app:s3cret@db.example:5432/halsync?schema=a')).to.equal('postgres://app:***@db.example:5432/halsync?schema=a');
    expect(redacted('postgres://db.example/halsync?password=s3cret')).to.equal('postgres://db.example/halsync?password=***');
    expect(redacted('postgres://app@db.example/halsync')).to.equal('postgres://app@db.example/halsync');
    expect(redacted('sqlite:./halsync.db')).to.equal('sqlite:./halsync.db');
  });

  it('publishes each --collection with its schema file', async () => {
    await writeFile(join(dir, 'note.json'), JSON.stringify({ type: 'object', required: ['text'] }));
    const node = serve(['--store', 'memory:', '--port', '0', '--collection', 'items', '--collection', `notes=${join(dir, 'note.json')}`]);
    const url = await node.started;
    const root = await request(url);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items', 'notes']);
    expect((await request(`${url}notes`, { method: 'POST', body: { data: { x: 1 } } })).status).to.equal(422);
    expect((await request(`${url}items`, { method: 'POST', body: { data: { x: 1 } } })).status).to.equal(201);
    node.child.kill('SIGINT');
    expect((await node.exited).code).to.equal(0);
  });

  it('exits 1 with one line when the store cannot open', async () => {
    const node = serve(['--store', 'nosuch://x', '--port', '0']);
    const { code, stderr } = await node.exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
    expect(stderr).to.match(/store/);
  });

  it('exits 1 with one line when the port is taken', async () => {
    const busy = await startNode();
    try {
      const node = serve(['--store', 'memory:', '--port', new URL(busy.url).port]);
      const { code, stderr } = await node.exited;
      expect(code).to.equal(1);
      expect(stderr.trim().split('\n')).to.have.lengthOf(1);
      expect(stderr).to.match(/in use/);
    } finally {
      await busy.close();
    }
  });

  it('exits 1 with one line when a schema file is missing', async () => {
    const node = serve(['--store', 'memory:', '--port', '0', '--collection', `notes=${join(dir, 'missing.json')}`]);
    const { code, stderr } = await node.exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
  });
});
