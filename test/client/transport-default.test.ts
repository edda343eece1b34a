import { expect } from 'chai';
import { listen, type Listening } from '../support/koa.js';
import { defaultTransport } from '../../lib/client/transport-default.js';
import { GotTransport } from '../../lib/client/transport-got.js';

/** The transport an HttpClient gets when given none (lib/client/transport-default.ts): on Node, got's. */
describe('client/transport-default', () => {
  let server: Listening;
  let base: string;
  before(async () => {
    server = await listen((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end(`you asked ${req.url}`));
    base = server.url;
  });
  after(() => server.close());

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
