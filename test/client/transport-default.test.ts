import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultTransport } from '../../lib/client/transport-default.js';
import { GotTransport } from '../../lib/client/transport-got.js';

/** The transport an HttpClient gets when given none (lib/client/transport-default.ts): on Node, got's. */
describe('client/transport-default', () => {
  let server: Server;
  let base: string;
  before(async () => {
    server = createServer((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`you asked ${req.url}`));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is the got transport on Node, and moves a request over loopback, counting it', async () => {
    const transport = defaultTransport({ concurrency: 1 });
    try {
      expect(transport).to.be.instanceOf(GotTransport);
      const response = await transport.send({ method: 'GET', url: `${base}/x`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 });
      expect(response.status).to.equal(200);
      expect(Buffer.from(response.body).toString()).to.equal('you asked /x');
      expect(transport.stats.requests).to.equal(1);
      expect(transport.stats.bytes).to.be.greaterThan(0);
    } finally {
      transport.close();
    }
  });
});
