import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { halsync, serve } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put, stateFile, versions } from '../support/sync.js';

/** A web server that is not halsync: every path answers this type and body. */
async function plainServer(type: string, body: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => res.writeHead(200, { 'content-type': type }).end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('halsync sync: what it refuses, and how it says so', function () {
  this.timeout(20000);
  let node: StartedNode;
  let dir: string;
  beforeEach(async () => {
    node = await startNode();
    dir = await mkdtemp(join(tmpdir(), 'halsync-sync-'));
  });
  afterEach(async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  for (const [path, what] of [
    ['items', 'the collection "items"'],
    ['openapi', 'an OpenAPI document'],
    ['items/transactions', 'a transaction log'],
  ] as const) {
    it(`refuses ${path} (${what}) as a root, naming what it is and where the root is`, async () => {
      await put(node.store, newId(), { i: 1 });
      const { code, stdout, stderr } = await halsync(['sync', `${node.url}${path}`, '--store', 'memory:']);
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr).to.equal(`halsync sync: ${node.url}${path} is ${what}, not an API root (it has no sync:collection link); its root is ${node.url}\n`);
    });
  }

  it('refuses an HTML page and a body that is not JSON, pointing at the origin', async () => {
    const html = await plainServer('text/html; charset=utf-8', '<!doctype html><title>hello</title>');
    const text = await plainServer('text/plain', 'hello');
    try {
      const page = await halsync(['sync', `${html.url}app/`, '--store', 'memory:']);
      expect(page.code).to.equal(1);
      expect(page.stderr).to.equal(
        `halsync sync: ${html.url}app/ is an HTML page, not an API root (it has no sync:collection link); its root is ${html.url}\n`,
      );
      const plain = await halsync(['sync', text.url, '--store', 'memory:']);
      expect(plain.code).to.equal(1);
      expect(plain.stderr).to.equal(
        `halsync sync: ${text.url} is not JSON (text/plain), not an API root (it has no sync:collection link); no root found at this origin\n`,
      );
    } finally {
      html.server.close();
      text.server.close();
    }
  });

  it('refuses a collection URL on either side of a node↔node sync', async () => {
    const other = await startNode();
    try {
      const { code, stderr } = await halsync(['sync', node.url, `${other.url}items`, '--state', await stateFile()]);
      expect(code).to.equal(1);
      expect(stderr).to.contain(`${other.url}items is the collection "items", not an API root`);
    } finally {
      await other.close();
    }
  });

  it('names plain HTTP behind an https:// URL instead of printing OpenSSL text', async () => {
    const https = node.url.replace(/^http:/, 'https:');
    const { code, stderr } = await halsync(['sync', https, '--store', 'memory:']);
    expect(code).to.equal(1);
    expect(stderr).to.equal(`halsync sync: ${https}: the TLS handshake failed (wrong version number): the node speaks plain HTTP; use ${node.url}\n`);
    expect(stderr).not.to.contain('ssl3_get_record');
  });

  it('with --json, prints a failure as a JSON error object on stdout as well', async () => {
    const collection = await halsync(['sync', `${node.url}items`, '--store', 'memory:', '--json']);
    expect(collection.code).to.equal(1);
    expect(JSON.parse(collection.stdout)).to.deep.equal({
      error: {
        type: 'not-a-root',
        title: 'Not an API root',
        detail: `${node.url}items is the collection "items", not an API root (it has no sync:collection link); its root is ${node.url}`,
        uri: `${node.url}items`,
        root: node.url,
      },
    });
    const gone = await startNode();
    await gone.close();
    const down = await halsync(['sync', gone.url, '--store', 'memory:', '--json']);
    expect(down.code).to.equal(1);
    expect(JSON.parse(down.stdout).error).to.include({ type: 'unreachable', uri: gone.url });
    expect(down.stderr).to.match(/^halsync sync: cannot reach .* \(ECONNREFUSED\)\n$/);
    const usage = await halsync(['sync', node.url, '--jsno', '--json']);
    expect(usage.code).to.equal(1);
    expect(JSON.parse(usage.stdout).error).to.include({ type: 'usage' });
    expect(JSON.parse(usage.stdout).error.detail).to.match(/^unknown option '--jsno'/);
  });

  it('node↔node takes a token per node (--token-a, --token-b)', async () => {
    const a = await startNode({ token: 'alpha' });
    const b = await startNode({ token: 'beta' });
    try {
      await put(b.store, newId(), { from: 'b' });
      const state = await stateFile();
      const one = await halsync(['sync', a.url, b.url, '--state', state, '--token', 'alpha']);
      expect(one.code).to.equal(1);
      expect(one.stderr).to.equal(`halsync sync: ${b.url} refused the credentials (401): pass --token or set HALSYNC_TOKEN\n`);
      const both = await halsync(['sync', a.url, b.url, '--state', state, '--token-a', 'alpha', '--token-b', 'beta', '--json']);
      expect(both.code, both.stderr).to.equal(0);
      expect(JSON.parse(both.stdout).pulled).to.equal(1);
      expect(await versions(a.store)).to.deep.equal(await versions(b.store));
      // --token for one side, --token-b over it for the other.
      const mixed = await halsync(['sync', a.url, b.url, '--state', state, '--token', 'alpha', '--token-b', 'beta']);
      expect(mixed.code, mixed.stderr).to.equal(0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('leaves no halsync.db behind when the node is down, and keeps one that was there', async () => {
    const gone = await startNode();
    await gone.close();
    const { code } = await halsync(['sync', gone.url], { cwd: dir });
    expect(code).to.equal(1);
    expect(existsSync(join(dir, 'halsync.db'))).to.equal(false);
    // A store that existed before the failed run is the user's: it stays, untouched.
    expect((await halsync(['sync', node.url], { cwd: dir })).code).to.equal(0);
    const before = await readFile(join(dir, 'halsync.db'));
    expect((await halsync(['sync', gone.url], { cwd: dir })).code).to.equal(1);
    expect(await readFile(join(dir, 'halsync.db'))).to.deep.equal(before);
  });
});

describe('halsync: --version and usage errors', () => {
  it('--version prints the version of package.json', async () => {
    const pkg = JSON.parse(await readFile(fileURLToPath(new URL('../../../package.json', import.meta.url)), 'utf8')) as { version: string };
    const { code, stdout } = await halsync(['--version']);
    expect(code).to.equal(0);
    expect(stdout).to.equal(`${pkg.version}\n`);
  });

  it('a flag typo prints the error and where the help is, not the whole usage', async () => {
    const { code, stdout, stderr } = await halsync(['sync', 'http://127.0.0.1:1/', '--jsno']);
    expect(code).to.equal(1);
    expect(stdout).to.equal('');
    expect(stderr).to.equal("error: unknown option '--jsno'\n(Did you mean --json?)\n(see halsync sync --help)\n");
    const serveTypo = await halsync(['serve', '--prot', '3000']);
    expect(serveTypo.stderr).to.match(/^error: unknown option '--prot'\n.*\n\(see halsync serve --help\)\n$/);
    expect(serveTypo.stderr).not.to.contain('Usage:');
  });
});

describe('halsync compact: a store that is not there', () => {
  it('exits 1 naming the store, and creates no halsync.db', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-compact-'));
    try {
      const { code, stdout, stderr } = await halsync(['compact'], { cwd: dir });
      expect(code).to.equal(1);
      expect(stdout).to.equal('');
      expect(stderr).to.equal('halsync compact: cannot open store sqlite:./halsync.db: no such file\n');
      expect(existsSync(join(dir, 'halsync.db'))).to.equal(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('halsync serve: a failed start leaves no store file', function () {
  this.timeout(20000);
  it('on a taken port, removes the halsync.db it created', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-serve-'));
    const busy = await startNode();
    try {
      const node = serve(['--port', new URL(busy.url).port], { cwd: dir });
      const { code, stderr } = await node.exited;
      expect(code).to.equal(1);
      expect(stderr).to.match(/in use/);
      expect(existsSync(join(dir, 'halsync.db'))).to.equal(false);
      // A store file that was there before stays.
      await writeFile(join(dir, 'keep.db'), '');
      const again = serve(['--port', new URL(busy.url).port, '--store', 'sqlite:./keep.db'], { cwd: dir });
      expect((await again.exited).code).to.equal(1);
      expect(existsSync(join(dir, 'keep.db'))).to.equal(true);
    } finally {
      await busy.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
