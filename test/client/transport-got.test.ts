import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateRawSync, deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { ResponseTooLarge, TransportFailed, Unreachable } from '../../lib/client/errors.js';
import { GotTransport } from '../../lib/client/transport-got.js';

/** The Node transport (lib/client/transport-got.ts) against a plain loopback server. */
describe('client/transport-got', () => {
  let server: Server;
  let base: string;
  let transport: GotTransport;
  const received: Array<{ method: string; headers: Record<string, unknown>; body: Buffer }> = [];
  const request = (path: string, extra: Partial<Parameters<GotTransport['send']>[0]> = {}) =>
    transport.send({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024, ...extra });

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method!, headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url === '/hold') return; // never answers
        if (req.url === '/big') return void res.end('x'.repeat(4096));
        if (req.url === '/redirect') return void res.writeHead(302, { location: '/elsewhere' }).end();
        res.writeHead(201, { 'content-type': 'application/json', 'x-twice': ['a', 'b'] }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    transport = new GotTransport({ concurrency: 2 });
    received.length = 0;
  });
  afterEach(() => transport.close());
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('answers status, headers and body whatever the status, and counts requests and bytes on the wire', async () => {
    const response = await request('/ok', { method: 'PUT', body: new TextEncoder().encode('hello'), headers: { 'content-type': 'text/plain' } });
    expect(response.status).to.equal(201);
    expect(response.headers['x-twice']).to.equal('a, b');
    expect(new TextDecoder().decode(response.body)).to.equal('{"ok":true}');
    expect(received[0]!.body.toString()).to.equal('hello');
    const stats = transport.stats;
    expect(stats.requests).to.equal(1);
    // Request line, headers and both bodies: well over the 16 bytes of the two bodies.
    expect(stats.bytes).to.be.above(100);
  });

  it('follows no redirect itself (the client checks each hop)', async () => {
    const response = await request('/redirect');
    expect([response.status, response.headers.location]).to.deep.equal([302, '/elsewhere']);
  });

  it('gzips an upload body as a gzip member', async () => {
    const zipped = await transport.gzip(new TextEncoder().encode('a'.repeat(2000)));
    expect(gunzipSync(zipped).toString()).to.equal('a'.repeat(2000));
    expect(zipped.length).to.be.below(100);
  });

  it('compresses a body written in parts as one gzip member of all of it', async () => {
    const zip = transport.gzipStream();
    zip.write(new TextEncoder().encode('{"entries":['));
    zip.write(new TextEncoder().encode('1,2,3]'));
    const member = await zip.end(new TextEncoder().encode(',"since":"é"}'));
    expect(gunzipSync(member).toString()).to.equal('{"entries":[1,2,3],"since":"é"}');
    // One member: its trailer ends the stream (RFC 1952: CRC-32 and size of everything written).
    expect(Buffer.from(member).readUInt32LE(member.length - 4)).to.equal(Buffer.byteLength('{"entries":[1,2,3],"since":"é"}'));
  });

  it('stops reading past maxResponseBytes, refuses a closed port as Unreachable, and times out as Unreachable', async () => {
    const big = await request('/big', { maxResponseBytes: 100 }).catch((e: unknown) => e);
    expect(big).to.be.instanceOf(ResponseTooLarge);
    const closed = await transport
      .send({ method: 'GET', url: 'http://127.0.0.1:1/', headers: {}, timeoutMs: 2000, maxResponseBytes: 10 })
      .catch((e: unknown) => e);
    expect(closed).to.be.instanceOf(Unreachable);
    const slow = await request('/hold', { timeoutMs: 100 }).catch((e: unknown) => e);
    expect(slow).to.be.instanceOf(Unreachable);
    expect((slow as Unreachable).code).to.equal('ETIMEDOUT');
  });

  it("rejects with the signal's AbortError (as fetch does) when its signal aborts", async () => {
    const stop = new AbortController();
    const pending = request('/hold', { signal: stop.signal });
    stop.abort();
    const error = await pending.catch((e: unknown) => e);
    expect((error as Error).name).to.equal('AbortError');
  });

  describe('against a server that codes, closes and certifies as real ones do', () => {
    const text = JSON.stringify({ notes: 'delta echo '.repeat(500) });
    let coded: Server;
    let codedBase: string;
    let connections = 0;
    before(async () => {
      coded = createServer((req, res) => {
        const coded = { gzip: gzipSync, deflate: deflateSync, br: brotliCompressSync }[req.url!.slice(1)];
        if (coded) return void res.writeHead(200, { 'content-encoding': req.url!.slice(1), 'x-accepted': req.headers['accept-encoding'] }).end(coded(text));
        if (req.url === '/raw-deflate') return void res.writeHead(200, { 'content-encoding': 'Deflate' }).end(deflateRawSync(text));
        if (req.url === '/unknown') return void res.writeHead(200, { 'content-encoding': 'x-private' }).end('as sent');
        if (req.url === '/corrupt') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(text).subarray(0, 40));
        if (req.url === '/bomb') return void res.writeHead(200, { 'content-encoding': 'gzip' }).end(gzipSync(Buffer.alloc(4 * 1024 * 1024)));
        // Says gzip, sends nothing (as a HEAD answer or a 204 may): there is nothing to decode.
        if (req.url === '/empty') return void res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'content-encoding': 'gzip' }).end();
        res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
      });
      // An idle connection goes after 50 ms, as a node behind a proxy may let it.
      coded.keepAliveTimeout = 50;
      coded.on('connection', () => connections++);
      await new Promise<void>((resolve) => coded.listen(0, '127.0.0.1', resolve));
      codedBase = `http://127.0.0.1:${(coded.address() as AddressInfo).port}`;
    });
    after(async () => {
      coded.closeAllConnections();
      await new Promise<void>((resolve) => coded.close(() => resolve()));
    });
    const send = (path: string, extra: Partial<Parameters<GotTransport['send']>[0]> = {}) =>
      transport.send({ method: 'GET', url: `${codedBase}${path}`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024, ...extra });

    it('asks for gzip, deflate and br, and decodes each (raw deflate too); a coding it does not know comes as sent', async () => {
      for (const path of ['/gzip', '/deflate', '/br', '/raw-deflate']) {
        const response = await send(path);
        expect(Buffer.from(response.body).toString(), path).to.equal(text);
        if (path !== '/raw-deflate') expect(response.headers['x-accepted']).to.equal('gzip, deflate, br');
      }
      expect(Buffer.from((await send('/unknown')).body).toString()).to.equal('as sent');
    });

    it('fails a body that does not decode as its coding says as TransportFailed, naming the coding', async () => {
      const error = await send('/corrupt').catch((e: unknown) => e);
      expect(error).to.be.instanceOf(TransportFailed);
      expect((error as Error).message).to.include('gzip body that does not decode');
    });

    it('counts maxResponseBytes after decoding: a small gzip of 4 MiB is refused', async () => {
      expect(await send('/bomb').catch((e: unknown) => e)).to.be.instanceOf(ResponseTooLarge);
    });

    it('answers a HEAD or a 204 that names a coding with an empty body, not a decoding error', async () => {
      const head = await send('/empty', { method: 'HEAD' });
      expect([head.status, head.body.length]).to.deep.equal([200, 0]);
      const none = await send('/empty', { method: 'DELETE' });
      expect([none.status, none.body.length]).to.deep.equal([204, 0]);
    });

    it('takes a new connection when the server let the kept-alive one go', async () => {
      const before = connections;
      for (let i = 0; i < 2; i++) {
        expect(Buffer.from((await send('/plain')).body).toString()).to.equal(text);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(connections - before).to.equal(2);
    });

    it('checks TLS certificates: one nobody vouches for is refused, not trusted', async function () {
      const dir = mkdtempSync(join(tmpdir(), 'halsync-tls-'));
      try {
        // A certificate made for this test (skipped where openssl is missing).
        const made = spawnSync('openssl', [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-subj',
          '/CN=127.0.0.1',
          '-days',
          '1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ]);
        if (made.status !== 0) return this.skip();
        const secure = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) =>
          res.end('secret'),
        );
        await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
        try {
          const url = `https://127.0.0.1:${(secure.address() as AddressInfo).port}/`;
          const error = await transport.send({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 }).catch((e: unknown) => e);
          expect(error).to.be.instanceOf(TransportFailed);
          expect((error as TransportFailed).code).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY/);
        } finally {
          await new Promise<void>((resolve) => secure.close(() => resolve()));
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
