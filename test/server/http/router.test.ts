import { expect } from 'chai';
import Koa from 'koa';
import { problems } from '../../../lib/server/http/problem.js';
import { Router } from '../../../lib/server/http/router.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { listen, type Listening } from '../../support/koa.js';

describe('server/http/router', () => {
  let server: Listening;
  before(async () => {
    const answer = (route: string) => async (ctx: Koa.Context, params: Record<string, string>) => {
      ctx.body = { route, method: ctx.method, params };
    };
    const router = new Router()
      .route('/{collection}/{itemId}', { GET: answer('item'), PUT: answer('item') })
      .route('/{collection}/transactions', { GET: answer('log') })
      .route('/{collection}', { GET: answer('collection') })
      .route('/{collection}', { POST: answer('collection') })
      .route('/', { GET: answer('root') });
    const app = new Koa();
    app.use(problems);
    app.use((ctx) => router.dispatch(ctx));
    server = await listen(app);
  });
  after(() => server.close());

  it('routes a path to its template with its variables decoded', async () => {
    expect((await request(`${server.url}/`)).json).to.deep.equal({ route: 'root', method: 'GET', params: {} });
    expect((await request(`${server.url}/items/a%20b`)).json).to.deep.equal({ route: 'item', method: 'GET', params: { collection: 'items', itemId: 'a b' } });
    expect((await request(`${server.url}/items/x`, { method: 'PUT', body: {} })).json.route).to.equal('item');
  });

  it('gives a path to the most literal route, whatever the order they were added in', async () => {
    expect((await request(`${server.url}/items/transactions`)).json.route).to.equal('log');
    expect((await request(`${server.url}/transactions/transactions`)).json.params).to.deep.equal({ collection: 'transactions' });
  });

  it('merges handlers given for the same template', async () => {
    expect((await request(`${server.url}/items`, { method: 'POST', body: {} })).json).to.deep.include({ route: 'collection', method: 'POST' });
  });

  it('answers a wrong method on a known path 405 with Allow, and OPTIONS 204 with Allow', async () => {
    const wrong = await request(`${server.url}/items/transactions`, { method: 'DELETE' });
    expectProblem(wrong, 405, 'method-not-allowed');
    expect(wrong.headers['allow']).to.equal('GET, HEAD, OPTIONS');
    const options = await request(`${server.url}/items/x`, { method: 'OPTIONS' });
    expect(options.status).to.equal(204);
    expect(options.headers['allow']).to.equal('GET, PUT, HEAD, OPTIONS');
  });

  it('answers HEAD with the GET handler, without a body', async () => {
    const head = await request(`${server.url}/items`, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.text).to.equal('');
  });

  it('answers 404 for a path no route matches, and 400 for a segment that does not decode', async () => {
    expectProblem(await request(`${server.url}/a/b/c/d`), 404, 'not-found');
    expectProblem(await request(`${server.url}/items/%E0%A4%A`), 400, 'bad-request');
  });
});
