import { expect } from 'chai';
import Koa from 'koa';
import { compileCollections } from '../../lib/server/collections.js';
import { problems } from '../../lib/server/http/problem.js';
import { DEFAULT_PATHS } from '../../lib/server/http/links.js';
import { collectionOf, HAL_TYPE, linker, prefersHtml, sendHal, type ServerNode } from '../../lib/server/node.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { listen, type Listening } from '../support/koa.js';
import { startNode, type StartedNode } from '../support/server.js';

describe('server/node', () => {
  const node = { store: new MemoryStore(), collections: compileCollections([{ name: 'items' }]), paths: DEFAULT_PATHS } as Partial<ServerNode> as ServerNode;
  let server: Listening;
  before(async () => {
    const app = new Koa();
    app.use(problems);
    app.use((ctx) => {
      const collection = collectionOf(node, ctx.path.slice(1), ctx);
      sendHal(ctx, { _links: { self: { href: linker(ctx, node).collection(collection.name) } }, name: collection.name, html: prefersHtml(ctx) }, 203);
    });
    server = await listen(app);
  });
  after(() => server.close());

  it('sends a HAL document with its status, typed application/hal+json, links from the request', async () => {
    const reply = await request(`${server.url}/items`, { headers: { Host: 'node.test' } });
    expect(reply.status).to.equal(203);
    expect(reply.headers['content-type']).to.equal(HAL_TYPE);
    expect(reply.json).to.deep.equal({ _links: { self: { href: 'http://node.test/items' } }, name: 'items', html: false });
  });

  it('answers 404 not-found for a collection the node does not have', async () => {
    const reply = await request(`${server.url}/nope`);
    expectProblem(reply, 404, 'not-found');
    expect(reply.json.detail).to.equal('there is no collection "nope"');
  });

  it('tells a browser (text/html first) from a client asking for JSON', async () => {
    const ask = async (accept: string) => (await request(`${server.url}/items`, { headers: { Accept: accept } })).json.html;
    expect(await ask('text/html,application/xhtml+xml,*/*;q=0.8')).to.equal(true);
    expect(await ask('application/hal+json')).to.equal(false);
    expect(await ask('application/json, text/html;q=0.5')).to.equal(false);
    expect(await ask('*/*')).to.equal(false);
  });
});

describe('server: media types of HAL answers', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode()));
  afterEach(async () => node.close());

  it('answers application/json, the same body, to a client that names JSON and not HAL', async () => {
    const created = await request(`${node.url}items`, { method: 'POST', headers: { Accept: 'application/json' }, body: { data: { n: 1 } } });
    expect(created.status).to.equal(201);
    expect(created.headers['content-type']).to.match(/^application\/json/);
    for (const path of ['', 'items', 'items/transactions', new URL(created.headers.location!).pathname.slice(1)]) {
      const json = await request(node.url + path, { headers: { Accept: 'application/json' } });
      const hal = await request(node.url + path, { headers: { Accept: 'application/hal+json' } });
      expect(json.headers['content-type'], path).to.match(/^application\/json/);
      expect(hal.headers['content-type'], path).to.match(/^application\/hal\+json/);
      expect(json.json, path).to.deep.equal(hal.json);
    }
  });

  it('stays HAL by default: no Accept, a wildcard, or HAL named beside JSON', async () => {
    for (const accept of [undefined, '*/*', 'application/*', 'application/hal+json, application/json', 'application/json;q=0.5, application/hal+json']) {
      const reply = await request(`${node.url}items`, accept === undefined ? {} : { headers: { Accept: accept } });
      expect(reply.headers['content-type'], String(accept)).to.match(/^application\/hal\+json/);
    }
  });
});
