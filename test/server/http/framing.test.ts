import { expect } from 'chai';
import Koa from 'koa';
import { oneHost } from '../../../lib/server/http/framing.js';
import { problems } from '../../../lib/server/http/problem.js';
import { listen, type Listening } from '../../support/koa.js';
import { rawExchange } from '../../support/raw-request.js';

/** One Host line per request (lib/server/http/framing.ts), over raw loopback connections. */
describe('server/http/framing', () => {
  let server: Listening;
  let reached = 0;
  before(async () => {
    const app = new Koa();
    app.use(problems);
    app.use(oneHost);
    app.use((ctx) => {
      reached++;
      ctx.body = 'ok';
    });
    server = await listen(app);
  });
  beforeEach(() => (reached = 0));
  after(() => server.close());

  const send = (head: string) => rawExchange(server.url, `${head}Connection: close\r\n\r\n`);

  it('passes a request with one Host line', async () => {
    const reply = await send('GET / HTTP/1.1\r\nHost: a.example\r\n');
    expect(reply).to.match(/^HTTP\/1\.1 200 /);
    expect(reached).to.equal(1);
  });

  it('refuses two Host lines with a 400 problem, before anything runs', async () => {
    const reply = await send('GET / HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n');
    expect(reply).to.match(/^HTTP\/1\.1 400 /);
    expect(reply).to.match(/content-type: application\/problem\+json/i);
    expect(reply).to.contain('2 Host header lines');
    expect(reached).to.equal(0);
  });

  it('refuses an HTTP/1.1 request without Host, but not an HTTP/1.0 one', async () => {
    const v11 = await send('GET / HTTP/1.1\r\n');
    // Node's own parser refuses it first (requireHostHeader); the middleware is the second line.
    expect(v11).to.match(/^HTTP\/1\.1 400 /);
    expect(reached).to.equal(0);
    expect(await send('GET / HTTP/1.0\r\n')).to.match(/^HTTP\/1\.1 200 /);
    expect(reached).to.equal(1);
  });
});
