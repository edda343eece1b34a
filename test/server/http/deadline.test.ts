import { expect } from 'chai';
import Koa, { type Context } from 'koa';
import { setTimeout as sleep } from 'node:timers/promises';
import { beginHold, beginWrite, requestTimeout } from '../../../lib/server/http/deadline.js';
import { problems } from '../../../lib/server/http/problem.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { listen, type Listening } from '../../support/koa.js';
import { until } from '../../support/until.js';

describe('server/http/deadline: the request time limit', () => {
  let server: Listening;
  /** What the handlers did, in order, so a test sees an abandoned handler stop. */
  let events: string[];
  before(async () => {
    const app = new Koa();
    app.use(problems);
    app.use(requestTimeout(50));
    app.use(async (ctx: Context) => {
      const slow = Number(ctx.query['slow'] ?? 0);
      if (ctx.path === '/read-then-write') {
        await sleep(slow);
        events.push('read');
        try {
          beginWrite(ctx);
        } catch (error) {
          events.push('stopped');
          throw error;
        }
        events.push('wrote');
        ctx.body = { wrote: true };
      } else if (ctx.path === '/write-slowly') {
        beginWrite(ctx);
        await sleep(slow);
        events.push('wrote');
        ctx.body = { wrote: true };
      } else if (ctx.path === '/hold') {
        beginHold(ctx);
        await sleep(slow);
        ctx.body = { held: true };
      } else ctx.body = { fast: true };
    });
    server = await listen(app);
  });
  beforeEach(() => (events = []));
  after(() => server.close());

  it('lets a fast request through', async () => {
    const reply = await request(`${server.url}/`);
    expect(reply.status).to.equal(200);
    expect(reply.json).to.deep.equal({ fast: true });
  });

  it('answers 503 request-timeout, Retry-After 1 and Connection: close when no write began in time; the handler then stops before writing', async () => {
    const reply = await request(`${server.url}/read-then-write?slow=200`);
    expectProblem(reply, 503, 'request-timeout');
    expect(reply.headers['retry-after']).to.equal('1');
    expect(reply.headers['connection']).to.equal('close');
    expect(reply.json.detail).to.match(/50 ms.*nothing was written/);
    await until(() => events.includes('stopped'), { message: 'the abandoned handler reached its write' });
    expect(events).to.deep.equal(['read', 'stopped']);
  });

  it('lets a request that began writing run past the limit, and answer what it wrote', async () => {
    const reply = await request(`${server.url}/write-slowly?slow=200`);
    expect(reply.status).to.equal(200);
    expect(reply.json).to.deep.equal({ wrote: true });
    expect(events).to.deep.equal(['wrote']);
  });

  it('lets a held request (Prefer: wait) run past the limit', async () => {
    const reply = await request(`${server.url}/hold?slow=200`);
    expect(reply.status).to.equal(200);
    expect(reply.json).to.deep.equal({ held: true });
  });

  it('does nothing outside a request under a limit', () => {
    const bare = {} as Context;
    expect(() => beginWrite(bare)).to.not.throw();
    expect(() => beginHold(bare)).to.not.throw();
  });
});
