import { expect } from 'chai';
import { expectRejection } from '../support/expect.js';
import { createServer, request, type Server } from 'node:http';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { AddressInfo } from 'node:net';
import { syncStore } from '../../lib/client/connect.js';
import { LinkNotFound, Problem, ResponseTooLarge, Unreachable, UnexpectedResponse, UntrustedOrigin } from '../../lib/client/errors.js';
import { HttpClient } from '../../lib/client/http.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put } from '../support/sync.js';

/** A tiny reverse proxy that claims a forwarded host of its choosing, and counts what it forwards. */
async function forwardingProxy(target: string, forwardedHost: string): Promise<{ url: string; requests: number; close(): Promise<void> }> {
  const to = new URL(target);
  const proxy = {
    url: '',
    requests: 0,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  const server: Server = createServer((req, res) => {
    proxy.requests++;
    const upstream = request(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, 'x-forwarded-host': forwardedHost } },
      (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return proxy;
}

describe('client/http', () => {
  let node: StartedNode;
  let client: HttpClient;
  beforeEach(async () => {
    node = await startNode();
    client = new HttpClient();
  });
  afterEach(async () => {
    client.close();
    await node.close();
  });

  it('follows links from the root and pages through the log by its next links', async () => {
    for (let i = 0; i < 3; i++) await put(node.store, newId(), { i });
    const log = client.root(node.url).follow('sync:collection', { name: 'items' }).follow('sync:transactions', { limit: 1, embed: 'data' });
    const pages = [];
    for await (const page of (await log).pages()) pages.push(page);
    expect(pages.length >= 3).to.be.ok;
    const entries = pages.flatMap((page) => page.embedded('sync:entry'));
    expect(entries.length).to.equal(3);
    expect(entries.map((entry) => entry.body.data)).to.deep.equal([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it('counts every request and the bytes on the wire, headers included', async () => {
    const root = await client.root(node.url).get();
    const bodyBytes = Buffer.byteLength(JSON.stringify(root.body));
    expect(client.stats.requests).to.equal(1);
    expect(client.stats.bytes > bodyBytes + 100, `bytes ${client.stats.bytes}`).to.be.ok;
  });

  it('carries the rel and the document URI in LinkNotFound', async () => {
    await expectRejection(client.root(node.url).follow('sync:collection', { name: 'nope' }).get(), LinkNotFound, {
      rel: 'sync:collection',
      uri: node.url,
      message: /nope/,
    });
  });

  it('turns problem+json answers into Problems with their type, status and extensions', async () => {
    const collection = await client.root(node.url).follow('sync:collection', { name: 'items' }).get();
    await expectRejection(client.resource(collection.resolve('sync:item', { itemId: 'not-a-uuid' })).get(), Problem, { status: 400 });
    const missing = await expectRejection(client.resource(collection.resolve('sync:item', { itemId: newId() })).get(), Problem, { status: 404 });
    expect(missing.is('not-found')).to.equal(true);
  });

  it('refuses a link to an origin it was not given, without requesting it', async () => {
    const guarded = await startNode({ trustProxy: true });
    const proxy = await forwardingProxy(guarded.url, 'elsewhere.invalid:8443');
    try {
      await expectRejection(syncStore(new MemoryStore(), proxy.url, { http: client }), UntrustedOrigin, { origin: 'http://elsewhere.invalid:8443' });
      expect(proxy.requests).to.equal(1);
      expect(client.stats.requests).to.equal(1);
    } finally {
      await proxy.close();
      await guarded.close();
    }
  });

  it('follows such links once their origin is trusted', async () => {
    await expectRejection(client.resource(node.url).get(), UntrustedOrigin);
    expect(client.stats.requests).to.equal(0);
    const trusting = new HttpClient({ trust: [node.url] });
    try {
      const doc = await trusting.resource(node.url).get();
      expect(doc.has('sync:collection')).to.be.ok;
    } finally {
      trusting.close();
    }
  });

  it('sends the bearer token, and reports a 401 without it', async () => {
    const guarded = await startNode({ token: 'sesame' });
    const withToken = new HttpClient({ token: 'sesame' });
    try {
      await expectRejection(client.root(guarded.url).get(), Problem, { status: 401 });
      expect((await withToken.root(guarded.url).get()).has('sync:collection')).to.be.ok;
    } finally {
      withToken.close();
      await guarded.close();
    }
  });

  it('reports an unreachable host as such', async () => {
    const gone = await startNode();
    await gone.close();
    await expectRejection(client.root(gone.url).get(), Unreachable, { code: 'ECONNREFUSED' });
  });
});

describe('client: response size cap', () => {
  const CAP = 64 * 1024;
  let server: Server;
  let base: string;
  let client: HttpClient;
  /** Bytes the streaming route wrote before the client hung up (bounded at 64 MiB). */
  let written = 0;
  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/gzip') {
        // 8 MiB of JSON that gzips to a few KiB: only the decompressed count can catch it.
        const body = gzipSync(Buffer.from(`[${'0,'.repeat(4 * 1024 * 1024)}0]`));
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(body);
        return;
      }
      if (req.url === '/small') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: 'x'.repeat(CAP / 2) }));
        return;
      }
      // No Content-Length: the body streams until the client gives up, or 64 MiB.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(16 * 1024, 0x20);
      written = 0;
      const pump = (): void => {
        while (written < 64 * 1024 * 1024 && !res.destroyed) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.destroy());
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    client = new HttpClient({ trust: [base], maxResponseBytes: CAP });
  });
  afterEach(() => client.close());

  it('aborts a body that streams past maxResponseBytes and names the URL', async () => {
    await expectRejection(client.request('GET', `${base}/endless`), ResponseTooLarge, { uri: `${base}/endless`, limit: CAP });
    expect(written < 64 * 1024 * 1024, `the server wrote its whole 64 MiB (${written}): the client did not hang up`).to.be.ok;
  });

  it('counts the decompressed bytes of a gzipped body', async () => {
    await expectRejection(client.request('GET', `${base}/gzip`), ResponseTooLarge, { uri: `${base}/gzip` });
  });

  it('reads a body under the cap', async () => {
    const response = await client.request('GET', `${base}/small`);
    expect(response.status).to.equal(200);
    expect(response.body.length > CAP / 2).to.be.ok;
  });
});

describe('client: unexpected answers from a node', () => {
  let node: StartedNode;
  let front: Server;
  afterEach(async () => {
    await new Promise<void>((resolve) => front.close(() => resolve()));
    await node.close();
  });

  /** A proxy in front of the node whose answers `rewrite` may replace (uncompressed, whole); its root URL. */
  async function inFront(
    rewrite: (path: string, answer: { status: number; type: string; body: Buffer }) => { status: number; type: string; body: Buffer },
  ): Promise<string> {
    const to = new URL(node.url);
    front = createServer((req, res) => {
      const upstream = request(
        { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: { ...req.headers, 'accept-encoding': 'identity' } },
        (answer) => {
          const chunks: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => chunks.push(chunk));
          answer.on('end', () => {
            const out = rewrite(req.url!, { status: answer.statusCode!, type: String(answer.headers['content-type'] ?? ''), body: Buffer.concat(chunks) });
            res.writeHead(out.status, { 'content-type': out.type, 'content-length': String(out.body.length) }).end(out.body);
          });
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
  }

  async function expectUnexpected(local: MemoryStore, sync: Promise<unknown>, message: RegExp): Promise<void> {
    await expectRejection(sync, UnexpectedResponse, { message });
  }

  it('reports an item answered with HTML (a proxy error page) as an UnexpectedResponse naming the item, not a JSON SyntaxError', async () => {
    node = await startNode();
    const itemId = newId();
    await put(node.store, itemId, { v: 1 });
    // The item's GET answers a 200 HTML page, as a misconfigured proxy might.
    const url = await inFront((path, answer) =>
      path.endsWith(`/${itemId}`) ? { status: 200, type: 'text/html', body: Buffer.from('<html><body>Service temporarily unavailable</body></html>') } : answer,
    );
    const local = new MemoryStore();
    await expectUnexpected(local, syncStore(local, url, { embed: false }), new RegExp(itemId));
    expect(await local.getItem('items', itemId)).to.equal(null);
  });

  it('refuses a log entry whose updatedAt is not a timestamp, pulling nothing', async () => {
    node = await startNode();
    const itemId = newId();
    await put(node.store, itemId, { v: 1 });
    // The log pages come back with an updatedAt no node would write.
    const url = await inFront((path, answer) =>
      path.includes('/transactions')
        ? { ...answer, body: Buffer.from(answer.body.toString('utf8').replaceAll(/"updatedAt":"[^"]*"/g, '"updatedAt":"yesterday"')) }
        : answer,
    );
    const local = new MemoryStore();
    await expectUnexpected(local, syncStore(local, url), /updatedAt/);
    expect(await local.getItem('items', itemId)).to.equal(null);
  });
});

describe('client/http: bodies prepared ahead (HttpClient.prepare)', () => {
  /** Echoes each body it received, decoded, with how it came; says it reads gzip unless told otherwise. */
  let server: Server;
  let base: string;
  let readsGzip = true;
  const seen: Array<{ coding: string; text: string }> = [];
  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const coding = req.headers['content-encoding'] ?? 'identity';
        if (coding === 'gzip' && !readsGzip) return void res.writeHead(415, { 'content-type': 'application/problem+json' }).end('{"status":415}');
        if (req.method !== 'GET') seen.push({ coding, text: (coding === 'gzip' ? gunzipSync(raw) : raw).toString() });
        res.writeHead(200, { 'content-type': 'application/json', ...(readsGzip ? { 'accept-encoding': 'gzip' } : {}) }).end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(() => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))));
  let client: HttpClient;
  beforeEach(async () => {
    readsGzip = true;
    seen.length = 0;
    client = new HttpClient({ trust: [base] });
    // The first answer tells the client this origin reads gzip.
    await client.request('GET', base);
  });
  afterEach(() => client.close());

  const entries = Array.from({ length: 50 }, (_, i) => ({ itemId: `item ${i}`, data: { text: 'é and more '.repeat(5) } }));

  it('sends what `json` would, its last members appended, gzipped as one member to an origin that reads gzip', async () => {
    const prepared = client.prepare(base, { entries });
    await client.request('PUT', base, { prepared: { body: prepared, rest: { since: 'c1' } }, compress: true });
    await client.request('PUT', base, { json: { entries, since: 'c1' }, compress: true });
    expect(seen.map((s) => s.coding)).to.deep.equal(['gzip', 'gzip']);
    expect(seen[0]!.text).to.equal(seen[1]!.text);
    expect(JSON.parse(seen[0]!.text)).to.deep.equal({ entries, since: 'c1' });
  });

  it('writes valid JSON whichever side has no members, and leaves out undefined ones as JSON.stringify does', async () => {
    for (const [head, rest] of [
      [{}, { since: 'c1' }],
      [{ entries }, {}],
      [{}, {}],
      [{ entries }, { since: undefined }],
    ] as Array<[Record<string, unknown>, Record<string, unknown>]>) {
      await client.request('PUT', base, { prepared: { body: client.prepare(base, head), rest }, compress: true });
      expect(JSON.parse(seen.at(-1)!.text)).to.deep.equal(JSON.parse(JSON.stringify({ ...head, ...rest })));
    }
  });

  it('goes plain without compress, and once more plain when an origin that said gzip answers 415', async () => {
    await client.request('PUT', base, { prepared: { body: client.prepare(base, { entries }), rest: { since: 'c2' } } });
    expect(seen.map((s) => s.coding)).to.deep.equal(['identity']);
    readsGzip = false;
    const answer = await client.request('PUT', base, { prepared: { body: client.prepare(base, { entries }), rest: { since: 'c3' } }, compress: true });
    expect(answer.status).to.equal(200);
    expect(seen.map((s) => s.coding)).to.deep.equal(['identity', 'identity']);
    expect(JSON.parse(seen[1]!.text)).to.deep.equal({ entries, since: 'c3' });
  });
});
