import { expect } from 'chai';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { request } from '../support/http.js';
import { halsync, serve } from '../support/serve.js';

const EXAMPLE = new URL('../../../examples/scoped/', import.meta.url);
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('halsync serve --config (and --principals, --jwt-secret)', function () {
  this.timeout(20000);
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-config-'))));
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('serves the scoped example as the README shows it: collections, schema and channels, principals, paths relative to the file', async () => {
    await cp(EXAMPLE, join(dir, 'scoped'), { recursive: true });
    // Run from elsewhere: every path in the file is relative to the file.
    const node = serve(['--config', join('scoped', 'halsync.json'), '--port', '0'], { cwd: dir });
    const url = await node.started;
    try {
      expect(node.stdout()).to.include('halsync serving notes at');
      const alice = bearer('alice-token-change-me');
      const mine = await request(`${url}notes`, { method: 'POST', headers: alice, body: { data: { text: 'mine', channels: ['user:alice'] } } });
      expect(mine.status, mine.text).to.equal(201);
      const bobs = await request(`${url}notes`, {
        method: 'POST',
        headers: bearer('bob-token-change-me'),
        body: { data: { text: 'his', channels: ['user:bob'] } },
      });
      expect(bobs.status).to.equal(201);
      expect((await request(`${url}notes/${bobs.json.itemId}`, { headers: alice })).status).to.equal(404);
      const refused = await request(`${url}notes`, { method: 'POST', headers: alice, body: { data: { text: 'x', channels: ['user:bob'] } } });
      expect(refused.status).to.equal(403);
      // The schema of the file's collection holds.
      expect((await request(`${url}notes`, { method: 'POST', headers: alice, body: { data: { channels: [] } } })).status).to.equal(422);
      expect((await request(url)).status).to.equal(401);
    } finally {
      await node.stop();
    }
    // The SQLite store named in the file sits beside the file.
    await readFile(join(dir, 'scoped', 'halsync.db'));
  });

  it('lets a flag override the file: --port, --store, --jwt-secret beside the file\u2019s principals', async () => {
    await writeFile(join(dir, 'p.json'), JSON.stringify({ 'admin-ish-token': { id: 'ops', grants: { items: { read: ['*'], write: ['*'] } } } }));
    await writeFile(
      join(dir, 'c.json'),
      JSON.stringify({
        port: 1,
        store: 'sqlite:./never.db',
        principals: 'p.json',
        collections: [{ name: 'items', channels: '/owner' }],
        jwt: { secret: 'file-secret-of-at-least-32-bytes!!!', issuer: 'file' },
      }),
    );
    const secret = 'flag-secret-of-at-least-32-bytes!!!';
    const node = serve(['--config', join(dir, 'c.json'), '--port', '0', '--store', 'memory:', '--jwt-secret', secret]);
    const url = await node.started;
    try {
      const token = await new SignJWT({ halsync: { items: { read: ['u'], write: ['u'] } }, iss: 'file' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('u')
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(secret));
      expect((await request(url, { headers: bearer(token) })).status).to.equal(200);
      expect((await request(url, { headers: bearer('admin-ish-token') })).status).to.equal(200);
    } finally {
      await node.stop();
    }
  });

  it('refuses a bad config or principals file in one line, exit code 1, naming the file and the field and never a token', async () => {
    await mkdir(join(dir, 'd'));
    const cases: Array<[string, unknown, RegExp]> = [
      ['c1.json', { collections: [{ nam: 'x' }] }, /c1\.json: not a halsync config: \/collections\/0\/name required field is missing/],
      ['c2.json', { collections: [{ name: 'x', channels: 'owner' }] }, /c2\.json: not a halsync config: \/collections\/0\/channels/],
      ['c3.json', { port: 'eighty' }, /c3\.json: not a halsync config: \/port/],
      ['c4.json', { principals: 'missing.json' }, /cannot read principals file .*missing\.json/],
      ['c5.json', { principals: 'bad-p.json' }, /bad-p\.json: not a principals file: \/<token 1>\/grants\/items\/read/],
    ];
    await writeFile(join(dir, 'bad-p.json'), JSON.stringify({ 'secret-token-xyz': { id: 'x', grants: { items: { read: 'all' } } } }));
    for (const [file, content, expected] of cases) {
      await writeFile(join(dir, file), JSON.stringify(content));
      const run = await halsync(['serve', '--config', join(dir, file), '--store', 'memory:', '--port', '0']);
      expect(run.code, file).to.equal(1);
      expect(run.stderr.trim().split('\n'), file).to.have.length(1);
      expect(run.stderr).to.match(expected).and.not.include('secret-token-xyz');
    }
    await writeFile(join(dir, 'not-json.json'), '{');
    const broken = await halsync(['serve', '--config', join(dir, 'not-json.json'), '--store', 'memory:']);
    expect(broken.code).to.equal(1);
    expect(broken.stderr).to.match(/not-json\.json: not JSON/);
  });
});
