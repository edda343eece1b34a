import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { syncStore } from '../../lib/client/connect.js';
import { Problem, ResponseTooLarge, Unreachable, UntrustedOrigin } from '../../lib/client/errors.js';
import { HttpClient } from '../../lib/client/http.js';
import { FetchTransport } from '../../lib/client/transport-fetch.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectRejection } from '../support/expect.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, put } from '../support/sync.js';
import { until } from '../support/until.js';

/**
 * The fetch transport (what a page speaks through) on Node's own fetch, against real nodes and
 * scripted servers on loopback: the same client rules as over got. The same transport in
 * Chromium is covered by test/examples/notes.test.ts.
 */

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A server that notes every request, answering each with `answer`. */
async function scripted(answer: (seen: Seen, res: import('node:http').ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const s = { method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) };
      seen.push(s);
      answer(s, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('client: the fetch transport', function () {
  let node: StartedNode;
  let client: HttpClient;
  beforeEach(async () => {
    node = await startNode();
    client = new HttpClient({ fetch: globalThis.fetch });
  });
  afterEach(async () => {
    client.close();
    await node.close();
  });

  it('is what { fetch } chooses, and counts requests and bytes', async () => {
    const root = await client.root(node.url).get();
    expect(root.has('sync:collection')).to.equal(true);
    expect(client.stats.requests).to.equal(1);
    expect(client.stats.bytes, 'request line, headers and body both ways').to.be.above(JSON.stringify(root.body).length + 100);
  });

  it('syncs a store with the same report as over got', async () => {
    for (let i = 0; i < 5; i++) await put(node.store, newId(), { i });
    const [overFetch, overGot] = [new MemoryStore(), new MemoryStore()];
    const a = await syncStore(overFetch, node.url, { fetch: globalThis.fetch });
    const b = await syncStore(overGot, node.url);
    expect({ ...a, requests: 0, bytes: 0, ms: 0 }).to.deep.equal({ ...b, requests: 0, bytes: 0, ms: 0 });
    expect(a.requests).to.equal(b.requests);
    expect(await contents(overFetch)).to.deep.equal(await contents(node.store));
  });

  it('refuses an untrusted origin before any request, and sends the token only to trusted ones', async () => {
    const other = await scripted((_, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
    const withToken = new HttpClient({ fetch: globalThis.fetch, token: 'sesame' });
    try {
      await expectRejection(withToken.request('GET', other.url), UntrustedOrigin);
      expect(other.seen, 'no request to an untrusted origin').to.deep.equal([]);
      withToken.trust(other.url);
      await withToken.request('GET', other.url);
      expect(other.seen.map((s) => s.headers.authorization)).to.deep.equal(['Bearer sesame']);
      const tokens = new HttpClient({ fetch: globalThis.fetch, trust: [other.url, node.url], tokens: { [node.url]: 'node-only' } });
      await tokens.request('GET', other.url);
      expect(other.seen[1]!.headers.authorization, 'a per-origin token goes only to its origin').to.equal(undefined);
      tokens.close();
    } finally {
      withToken.close();
      await other.close();
    }
  });

  it('maps answers and failures to the same typed errors', async () => {
    const guarded = await startNode({ token: 'sesame' });
    const gone = await startNode();
    await gone.close();
    try {
      await expectRejection(client.root(guarded.url).get(), Problem, { status: 401 });
      await expectRejection(client.root(gone.url).get(), Unreachable, { code: 'ECONNREFUSED' });
    } finally {
      await guarded.close();
    }
  });

  it('times out as Unreachable, caps the response size, and fails a redirect it cannot check', async () => {
    const slow = await scripted((seen, res) => {
      if (seen.url === '/big') return void res.writeHead(200, { 'content-type': 'application/json' }).end(`"${'x'.repeat(10_000)}"`);
      if (seen.url === '/moved') return void res.writeHead(302, { location: 'http://example.invalid/' }).end();
      setTimeout(() => res.writeHead(200).end('{}'), 2000).unref();
    });
    const small = new HttpClient({ fetch: globalThis.fetch, trust: [slow.url], timeoutMs: 200, maxResponseBytes: 1000 });
    try {
      await expectRejection(small.request('GET', slow.url), Unreachable, { code: 'ETIMEDOUT' });
      await expectRejection(small.request('GET', `${slow.url}big`), ResponseTooLarge, { limit: 1000 });
      // Node's fetch shows a manual redirect (a browser does not): HttpClient checks its target's origin.
      await expectRejection(small.request('GET', `${slow.url}moved`), UntrustedOrigin);
    } finally {
      small.close();
      await slow.close();
    }
  });

  it('gzips an upload to a node that advertises it, with CompressionStream', async () => {
    const echo = await scripted((_, res) => res.writeHead(200, { 'content-type': 'application/json', 'accept-encoding': 'gzip' }).end('{}'));
    const uploader = new HttpClient({ fetch: globalThis.fetch, trust: [echo.url] });
    try {
      const json = { text: 'y'.repeat(5000) };
      await uploader.request('PUT', echo.url, { json, compress: true });
      await uploader.request('PUT', echo.url, { json, compress: true });
      expect(echo.seen.map((s) => s.headers['content-encoding'] ?? 'identity')).to.deep.equal(['identity', 'gzip']);
      expect(JSON.parse(gunzipSync(echo.seen[1]!.body).toString('utf8'))).to.deep.equal(json);
      expect(echo.seen[1]!.body.length).to.be.below(200);
    } finally {
      uploader.close();
      await echo.close();
    }
  });

  it('ends a Prefer: wait long poll when its AbortSignal aborts', async () => {
    const collection = await client.root(node.url).follow('sync:collection', { name: 'items' }).get();
    const first = await client.request('GET', collection.resolve('sync:transactions', { limit: 1 }));
    const checkpoint = (JSON.parse(new TextDecoder().decode(first.body)) as { checkpoint: string }).checkpoint;
    const held = new AbortController();
    const uri = collection.resolve('sync:transactions', { cursor: checkpoint, limit: 1 });
    const before = client.stats.requests;
    const polling = client.request('GET', uri, { headers: { prefer: 'wait=30' }, signal: held.signal, timeoutMs: 60_000 }).catch((e: unknown) => e);
    await until(() => client.stats.requests === before + 1, { message: 'the poll was sent' });
    const started = Date.now();
    held.abort(new Error('not needed any more'));
    expect(String(await polling)).to.match(/not needed any more/);
    expect(Date.now() - started, 'ended by the signal, not by the 30 s wait').to.be.below(5000);
  });

  it('refuses to be made without a fetch', function () {
    const saved = globalThis.fetch;
    try {
      (globalThis as { fetch?: unknown }).fetch = undefined;
      expect(() => new FetchTransport()).to.throw(/no fetch/);
    } finally {
      globalThis.fetch = saved;
    }
  });
});
