import { expect } from 'chai';
import { listen, type Listening } from '../support/koa.js';
import { defaultTransport } from '../../lib/client/transport-default-browser.js';
import { FetchTransport } from '../../lib/client/transport-fetch.js';

/** The default transport of a browser build (lib/client/transport-default-browser.ts): fetch's, here on Node's own fetch. */
describe('client/transport-default-browser', () => {
  let server: Listening;
  let base: string;
  before(async () => {
    server = await listen((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`you asked ${req.url}`));
    base = server.url;
  });
  after(() => server.close());

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
