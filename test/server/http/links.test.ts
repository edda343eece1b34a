import { expect } from 'chai';
import Koa from 'koa';
import { BadRequest } from '../../../lib/protocol/problems.js';
import { DEFAULT_PATHS, expand, Linker, requestOrigin } from '../../../lib/server/http/links.js';
import { problems } from '../../../lib/server/http/problem.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { listen } from '../../support/koa.js';

describe('server/http/links', () => {
  it('expands the named variables of a template, percent-encoded, and keeps the others', () => {
    expect(expand('/{collection}/{itemId}', { collection: 'a b/c' })).to.equal('/a%20b%2Fc/{itemId}');
    expect(expand('/{collection}/{itemId}', { collection: 'items', itemId: 'x' })).to.equal('/items/x');
    expect(expand('/plain', { collection: 'items' })).to.equal('/plain');
  });

  it('links every resource under the paths it is given', () => {
    const links = new Linker('http://node.test', DEFAULT_PATHS);
    expect(links.root()).to.equal('http://node.test/');
    expect(links.collection('items')).to.equal('http://node.test/items');
    expect(links.transactionsTemplate('items')).to.equal('http://node.test/items/transactions{?earliest,cursor,limit,embed}');
    expect(links.item('items', 'i')).to.equal('http://node.test/items/i');
    expect(links.itemTemplate('items')).to.equal('http://node.test/items/{itemId}');
    expect(links.job('j')).to.equal('http://node.test/jobs/j');
    expect(links.relTemplate()).to.equal('http://node.test/rels/{rel}');
    expect(links.schema('items')).to.equal('http://node.test/schemas/items');
    expect(links.openapi()).to.equal('http://node.test/openapi');
    expect(links.restore('items', 'c')).to.equal('http://node.test/items/conflicts/c/restore');
    const prefixed = new Linker('https://h:8443', { ...DEFAULT_PATHS, root: '/api/', collection: '/api/c/{collection}' });
    expect(prefixed.root()).to.equal('https://h:8443/api/');
    expect(prefixed.collection('items')).to.equal('https://h:8443/api/c/items');
  });

  describe('requestOrigin, over HTTP', () => {
    async function origin(proxy: boolean, headers: Record<string, string>) {
      const app = new Koa();
      app.proxy = proxy;
      app.use(problems);
      app.use((ctx) => {
        const links = new Linker(requestOrigin(ctx), DEFAULT_PATHS);
        ctx.body = { origin: links.origin, current: links.current(ctx) };
      });
      const server = await listen(app);
      try {
        return await request(`${server.url}/items?cursor=x`, { headers });
      } finally {
        await server.close();
      }
    }

    it('is the Host of the request, and the URI it was made to', async () => {
      const reply = await origin(false, { Host: 'node.test:8080', 'X-Forwarded-Host': 'evil.test', 'X-Forwarded-Proto': 'https' });
      expect(reply.json).to.deep.equal({ origin: 'http://node.test:8080', current: 'http://node.test:8080/items?cursor=x' });
      expect((await origin(false, { Host: '[::1]:80' })).json.origin).to.equal('http://[::1]:80');
    });

    it('follows X-Forwarded-Host and -Proto only behind a trusted proxy', async () => {
      const reply = await origin(true, { Host: 'inner:1', 'X-Forwarded-Host': 'public.test', 'X-Forwarded-Proto': 'https' });
      expect(reply.json.origin).to.equal('https://public.test');
    });

    it('refuses a Host that could smuggle text into links as a 400', async () => {
      expectProblem(await origin(true, { Host: 'x', 'X-Forwarded-Host': 'a.test/"><script>' }), 400, 'bad-request');
      expectProblem(await origin(false, { Host: 'a b' }), 400, 'bad-request');
      expect(new BadRequest('x').status).to.equal(400);
    });
  });
});
