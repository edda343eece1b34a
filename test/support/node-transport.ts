import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { ResponseTooLarge, Unreachable } from '../../lib/client/errors.js';
import type { Transport, TransportRequest } from '../../lib/client/transport.js';

/**
 * What both Node transports (lib/client/transport-node.ts, lib/client/transport-got.ts) must do
 * against a plain loopback server, beyond the contract every transport keeps (test/client/transport.test.ts):
 * headers as Node joins them, no redirect followed, timeouts and aborts as the client expects.
 */
export function describeNodeTransport(name: string, make: (concurrency: number) => Transport): void {
  describe(`${name}: a Node transport against a loopback server`, () => {
    let server: Server;
    let base: string;
    let transport: Transport;
    const received: Array<{ method: string; headers: Record<string, unknown>; body: Buffer }> = [];
    const request = (path: string, extra: Partial<TransportRequest> = {}) =>
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
      transport = make(2);
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
      expect(received[0]!.headers['content-length']).to.equal('5');
      const stats = transport.stats;
      expect(stats.requests).to.equal(1);
      // Request line, headers and both bodies: well over the 16 bytes of the two bodies.
      expect(stats.bytes).to.be.above(100);
    });

    it('follows no redirect itself (the client checks each hop)', async () => {
      const response = await request('/redirect');
      expect([response.status, response.headers.location]).to.deep.equal([302, '/elsewhere']);
      expect(received).to.have.length(1);
    });

    it('gzips an upload body as a gzip member', async () => {
      const zipped = await transport.gzip(new TextEncoder().encode('a'.repeat(2000)));
      expect(gunzipSync(zipped).toString()).to.equal('a'.repeat(2000));
      expect(zipped.length).to.be.below(100);
    });

    it('compresses a body written in parts as one gzip member of all of it', async () => {
      const zip = transport.gzipStream!();
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
  });
}
