import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ResponseTooLarge, Unreachable } from '../../lib/client/errors.js';
import { FetchTransport } from '../../lib/client/transport-fetch.js';
import { GotTransport } from '../../lib/client/transport-got.js';
import type { Transport, TransportRequest } from '../../lib/client/transport.js';
import { expectRejection } from '../support/expect.js';
import { listen, type Listening } from '../support/koa.js';

/**
 * The Transport contract (lib/client/transport.ts), held for both transports alike: what one moves
 * and counts, the other must too, so the engine above behaves the same over got and over fetch.
 * Each transport's own peculiarities stay in its own test (transport-got, transport-fetch).
 */
const transports: Array<[string, () => Transport]> = [
  ['got', () => new GotTransport({ concurrency: 4 })],
  ['fetch', () => new FetchTransport({ concurrency: 4, fetch: globalThis.fetch })],
];

describe('client/transport: the contract both transports keep', () => {
  let server: Listening;
  let base: string;
  const uploads: Buffer[] = [];

  before(async () => {
    server = await listen((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        uploads.push(Buffer.concat(chunks));
        if (req.url === '/big') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(64 * 1024));
        if (req.url === '/missing') return void res.writeHead(404, { 'content-type': 'application/problem+json' }).end('{"status":404}');
        res.writeHead(200, { 'content-type': 'application/json', etag: '"e"' }).end(`{"method":"${req.method}"}`);
      });
    });
    base = server.url;
  });
  after(() => server.close());

  for (const [name, make] of transports) {
    describe(name, () => {
      let transport: Transport;
      const send = (path: string, extra: Partial<TransportRequest> = {}) =>
        transport.send({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024, ...extra });
      beforeEach(() => {
        transport = make();
      });
      afterEach(() => transport.close());

      it('answers the status, headers and body of any status, and counts each request and its bytes', async () => {
        const ok = await send('/', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"a":1}') });
        expect(ok.status).to.equal(200);
        expect(ok.headers['etag']).to.equal('"e"');
        expect(JSON.parse(new TextDecoder().decode(ok.body))).to.deep.equal({ method: 'PUT' });
        expect(uploads.at(-1)!.toString()).to.equal('{"a":1}');
        const missing = await send('/missing');
        expect(missing.status).to.equal(404);
        expect(transport.stats.requests).to.equal(2);
        // At least both bodies went over the wire, with their request and status lines.
        expect(transport.stats.bytes).to.be.above('{"a":1}'.length + '{"method":"PUT"}'.length + '{"status":404}'.length);
      });

      it('gzips an upload as one gzip member of exactly the bytes given', async () => {
        const body = new TextEncoder().encode(JSON.stringify({ text: 'é'.repeat(2000) }));
        expect(gunzipSync(await transport.gzip(body)).equals(Buffer.from(body))).to.equal(true);
      });

      it('refuses a body past maxResponseBytes and a closed port with the typed errors', async () => {
        await expectRejection(send('/big', { maxResponseBytes: 1024 }), ResponseTooLarge);
        const closed = createServer();
        await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
        const port = (closed.address() as AddressInfo).port;
        await new Promise<void>((resolve) => closed.close(() => resolve()));
        await expectRejection(
          transport.send({ method: 'GET', url: `http://127.0.0.1:${port}/`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 }),
          Unreachable,
        );
      });
    });
  }
});
