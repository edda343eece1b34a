import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultTransport } from '../../lib/client/transport-default-browser.js';
import { FetchTransport } from '../../lib/client/transport-fetch.js';

/** The default transport of a browser build (lib/client/transport-default-browser.ts): fetch's, here on Node's own fetch. */
describe('client/transport-default-browser', () => {
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

  it('is the fetch transport, and moves a request over loopback, counting it', async () => {
    const transport = defaultTransport({ concurrency: 1 });
    try {
      expect(transport).to.be.instanceOf(FetchTransport);
      const response = await transport.send({ method: 'GET', url: `${base}/y`, headers: {}, timeoutMs: 5000, maxResponseBytes: 1024 });
      expect(response.status).to.equal(200);
      expect(new TextDecoder().decode(response.body)).to.equal('you asked /y');
      expect(transport.stats.requests).to.equal(1);
    } finally {
      transport.close();
    }
  });
});
