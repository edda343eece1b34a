import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo, Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { ResponseTooLarge, TransportFailed, Unreachable } from '../../lib/client/errors.js';
import { NodeTransport } from '../../lib/client/transport-node.js';
import type { TransportRequest } from '../../lib/client/transport.js';
import { describeNodeTransport } from '../support/node-transport.js';

/** The default Node transport (lib/client/transport-node.ts): node:http itself, so it decodes and guards bodies on its own. */
describe('client/transport-node', () => {
  describeNodeTransport('node:http', (concurrency) => new NodeTransport({ concurrency }));

  describe('what it does itself that got did for it', () => {
    const text = JSON.stringify({ notes: 'delta echo '.repeat(500) });
    let server: Server;
    let base: string;
    let transport: NodeTransport;
    const sockets = new Set<Socket>();
    const acceptEncodings: string[] = [];
    const request = (path: string, extra: Partial<TransportRequest> = {}) =>
      transport.send({ method: 'GET', url: `${base}${path}`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 * 1024, ...extra });

    before(async () => {
      server = createServer((req, res) => {
        sockets.add(req.socket);
        acceptEncodings.push(String(req.headers['accept-encoding']));
        const coded = (coding: string, body: Buffer) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding }).end(body);
        switch (req.url) {
          case '/gzip':
            return coded('gzip', gzipSync(text));
          case '/deflate':
            return coded('deflate', deflateSync(text));
          case '/br':
            return coded('br', brotliCompressSync(text));
          case '/bomb':
            return coded('gzip', gzipSync(Buffer.alloc(4 * 1024 * 1024)));
          case '/corrupt':
            return coded('gzip', Buffer.from('this is not gzip at all'));
          case '/compress':
            return coded('compress', Buffer.from(text));
          case '/empty':
            // Says gzip, sends nothing (as a HEAD answer or a 204 may): there is nothing to decode.
            return void res.writeHead(req.method === 'HEAD' ? 200 : 204, { 'content-encoding': 'gzip' }).end();
          case '/cut':
            // Promises 100 bytes, sends 10, then the connection goes.
            res.writeHead(200, { 'content-length': '100' });
            res.write('0123456789');
            return void setTimeout(() => req.socket.destroy(), 20);
          default:
            return void res.writeHead(200, { 'content-type': 'text/plain' }).end(text);
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    beforeEach(() => {
      transport = new NodeTransport({ concurrency: 2 });
      sockets.clear();
      acceptEncodings.length = 0;
    });
    afterEach(() => transport.close());
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('asks for gzip, deflate and br, and answers each decoded; bytes count what crossed the wire', async () => {
      for (const coding of ['gzip', 'deflate', 'br']) {
        const response = await request(`/${coding}`);
        expect(Buffer.from(response.body).toString(), coding).to.equal(text);
        expect(response.headers['content-encoding']).to.equal(coding);
      }
      expect(acceptEncodings).to.deep.equal(['gzip, deflate, br', 'gzip, deflate, br', 'gzip, deflate, br']);
      // Three compressed answers of a 5.5 kB text: far less than the text three times over.
      expect(transport.stats.bytes).to.be.below(text.length);
    });

    it('answers a HEAD or a 204 that names a coding with an empty body, not a decoding error', async () => {
      const head = await request('/empty', { method: 'HEAD' });
      expect([head.status, head.body.length]).to.deep.equal([200, 0]);
      const none = await request('/empty', { method: 'DELETE' });
      expect([none.status, none.body.length]).to.deep.equal([204, 0]);
    });

    it('keeps one connection alive across requests made one after the other', async () => {
      for (let i = 0; i < 5; i++) await request('/plain');
      expect(sockets.size).to.equal(1);
      expect(transport.stats.requests).to.equal(5);
    });

    it('takes a new connection when the server closed the kept-alive one meanwhile', async () => {
      const idle = createServer((req, res) => res.end('fresh'));
      // The server lets an idle connection go after 50 ms, as a node behind a proxy might.
      idle.keepAliveTimeout = 50;
      const seen = new Set<Socket>();
      idle.on('connection', (socket: Socket) => seen.add(socket));
      await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(idle.address() as AddressInfo).port}/`;
      try {
        for (let i = 0; i < 2; i++) {
          const response = await transport.send({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 });
          expect(Buffer.from(response.body).toString()).to.equal('fresh');
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(seen.size).to.equal(2);
      } finally {
        idle.closeAllConnections();
        await new Promise<void>((resolve) => idle.close(() => resolve()));
      }
    });

    it('counts maxResponseBytes after decoding: a small gzip of 4 MiB is refused', async () => {
      const error = await request('/bomb', { maxResponseBytes: 1024 * 1024 }).catch((e: unknown) => e);
      expect(error).to.be.instanceOf(ResponseTooLarge);
    });

    it('fails a corrupt or unknown coding as TransportFailed, and a body cut short as Unreachable', async () => {
      const corrupt = await request('/corrupt').catch((e: unknown) => e);
      expect(corrupt).to.be.instanceOf(TransportFailed);
      expect((corrupt as TransportFailed).code).to.equal('Z_DATA_ERROR');
      const unknown = await request('/compress').catch((e: unknown) => e);
      expect(unknown).to.be.instanceOf(TransportFailed);
      expect((unknown as TransportFailed).code).to.equal('ERR_CONTENT_ENCODING');
      const cut = await request('/cut').catch((e: unknown) => e);
      expect(cut).to.be.instanceOf(Unreachable);
      expect((cut as Unreachable).code).to.equal('ECONNRESET');
      // The transport still works afterwards.
      expect((await request('/plain')).status).to.equal(200);
    });

    it('sends nothing for a signal aborted already, and refuses a URL that is not HTTP', async () => {
      const stop = new AbortController();
      stop.abort();
      const aborted = await request('/plain', { signal: stop.signal }).catch((e: unknown) => e);
      expect((aborted as Error).name).to.equal('AbortError');
      expect(acceptEncodings).to.have.length(0);
      const ftp = await transport
        .send({ method: 'GET', url: 'ftp://127.0.0.1/x', headers: {}, timeoutMs: 1000, maxResponseBytes: 10 })
        .catch((e: unknown) => e);
      expect(ftp).to.be.instanceOf(TransportFailed);
    });
  });

  describe('over HTTPS', () => {
    let server: https.Server | undefined;
    let url: string;
    let dir: string;
    before(async function () {
      dir = mkdtempSync(join(tmpdir(), 'halsync-tls-'));
      // A certificate nobody vouches for, made for this test (skipped where openssl is missing).
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
      server = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => res.end('secret'));
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(async () => {
      if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    });

    it('speaks TLS and checks the certificate: one nobody vouches for is refused, not trusted', async () => {
      const transport = new NodeTransport({ concurrency: 1 });
      try {
        const error = await transport.send({ method: 'GET', url, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 }).catch((e: unknown) => e);
        expect(error).to.be.instanceOf(TransportFailed);
        expect((error as TransportFailed).code).to.match(/SELF_SIGNED|UNABLE_TO_VERIFY/);
        // The TLS handshake happened on a socket: its bytes were counted.
        expect(transport.stats.bytes).to.be.above(0);
      } finally {
        transport.close();
      }
    });
  });
});
