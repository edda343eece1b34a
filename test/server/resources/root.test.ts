import { expect } from 'chai';
import { parse } from 'yaml';
import { DEFAULT_PATHS } from '../../../lib/server/http/links.js';
import { browserPage } from '../../../lib/server/resources/browser.js';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

describe('server: root', () => {
  let node: StartedNode;
  afterEach(async () => node?.close());

  it('links every collection as an array, the curies and the OpenAPI document', async () => {
    node = await startNode();
    const reply = await request(node.url);
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.match(/^application\/hal\+json/);
    expect(reply.headers['vary']).to.match(/Accept/);
    expectValid('root', reply.json);
    const links = reply.json._links;
    expect(links.self.href).to.equal(node.url);
    expect(links.curies).to.deep.equal([{ name: 'sync', href: `${node.url}rels/{rel}`, templated: true }]);
    expect(links['sync:collection']).to.deep.equal([{ href: `${node.url}items`, name: 'items', title: 'items' }]);
    expect(links['service-desc'].href).to.equal(`${node.url}openapi`);
  });

  it('publishes two collections, each with its own schema, without other code', async () => {
    node = await startNode({
      collections: [
        { name: 'items', title: 'Items', schema: { type: 'object', required: ['name'] } },
        { name: 'notes', title: 'Notes', schema: { type: 'object', required: ['text'] } },
      ],
    });
    const root = await request(node.url);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items', 'notes']);
    const note = await request(`${node.url}notes`, { method: 'POST', body: { data: { text: 'hi' } } });
    expect(note.status).to.equal(201);
    const wrong = await request(`${node.url}notes`, { method: 'POST', body: { data: { name: 'an item' } } });
    expectProblem(wrong, 422, 'validation-failed');
    const item = await request(`${node.url}items`, { method: 'POST', body: { data: { name: 'an item' } } });
    expect(item.status).to.equal(201);
    const notesLog = await request(`${node.url}notes/transactions`);
    expect(notesLog.json._embedded['sync:entry']).to.have.lengthOf(1);
    expect((await request(`${node.url}schemas/notes`)).json).to.deep.equal({ type: 'object', required: ['text'] });
  });

  it('serves the OpenAPI document as JSON, and as YAML when asked', async () => {
    node = await startNode();
    const json = await request(`${node.url}openapi`);
    expect(json.status).to.equal(200);
    expect(json.headers['content-type']).to.match(/json/);
    expect(json.json.openapi).to.match(/^3\.1/);
    for (const type of ['application/yaml', 'application/openapi+yaml', 'application/vnd.oai.openapi']) {
      const yaml = await request(`${node.url}openapi`, { headers: { Accept: type } });
      expect(yaml.headers['content-type']).to.equal(`${type}; charset=utf-8`);
      expect(parse(yaml.text)).to.deep.equal(json.json);
    }
    // The IANA-registered JSON twin of application/vnd.oai.openapi.
    const vnd = await request(`${node.url}openapi`, { headers: { Accept: 'application/vnd.oai.openapi+json' } });
    expect(vnd.headers['content-type']).to.match(/^application\/vnd\.oai\.openapi\+json/);
    expect(vnd.json).to.deep.equal(json.json);
  });

  it('answers a browser with the HAL browser page, on every GET resource', async () => {
    node = await startNode();
    for (const path of ['', 'items', 'items/transactions']) {
      const reply = await request(node.url + path, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(reply.status).to.equal(200);
      expect(reply.headers['content-type']).to.match(/^text\/html/);
      expect(reply.headers['vary']).to.match(/Accept/);
      expect(reply.text).to.equal(browserPage(DEFAULT_PATHS));
    }
  });

  it('builds links from the Host header', async () => {
    node = await startNode();
    const reply = await request(node.url, { headers: { Host: 'api.example.com:8443' } });
    expect(reply.json._links.self.href).to.equal('http://api.example.com:8443/');
    expect(reply.json._links['sync:collection'][0].href).to.equal('http://api.example.com:8443/items');
  });

  it('ignores X-Forwarded-* unless told to trust a proxy', async () => {
    node = await startNode();
    const headers = { 'X-Forwarded-Host': 'public.example.com', 'X-Forwarded-Proto': 'https' };
    const untrusted = await request(node.url, { headers });
    expect(untrusted.json._links.self.href).to.equal(node.url);
    await node.close();
    node = await startNode({ trustProxy: true });
    const trusted = await request(node.url, { headers });
    expect(trusted.json._links.self.href).to.equal('https://public.example.com/');
    expect(trusted.json._links.curies[0].href).to.equal('https://public.example.com/rels/{rel}');
  });

  it('refuses a Host header that is not a host (400)', async () => {
    node = await startNode();
    expectProblem(await request(node.url, { headers: { Host: 'evil.com/"><script>' } }), 400);
  });

  it('serves the API under any path layout', async () => {
    node = await startNode({
      paths: {
        root: '/api/v2/',
        collection: '/api/v2/c/{collection}',
        item: '/api/v2/c/{collection}/{itemId}',
        transactions: '/feeds/{collection}/log',
        job: '/api/v2/jobs/{jobId}',
        rel: '/api/v2/rels/{rel}',
        schema: '/api/v2/schemas/{collection}.json',
        openapi: '/api/v2/openapi.json',
      },
    });
    expect(node.url).to.match(/\/api\/v2\/$/);
    const root = await request(node.url);
    const origin = new URL(node.url).origin;
    const collectionUrl = root.json._links['sync:collection'][0].href;
    expect(collectionUrl).to.equal(`${origin}/api/v2/c/items`);
    expect(root.json._links.curies[0].href).to.equal(`${origin}/api/v2/rels/{rel}`);
    const collection = await request(collectionUrl);
    expect(collection.json._links['sync:transactions'].href).to.equal(`${origin}/feeds/items/log{?earliest,cursor,limit,embed}`);
    expect(collection.json._links['sync:item'].href).to.equal(`${origin}/api/v2/c/items/{itemId}`);
    const created = await request(collectionUrl, { method: 'POST', body: { data: { a: 1 } } });
    expect(created.headers.location).to.match(new RegExp(`^${origin}/api/v2/c/items/[0-9a-f-]{36}$`));
    const log = await request(`${origin}/feeds/items/log?limit=1`);
    expect(log.json._embedded['sync:entry'][0].itemURI).to.equal(created.headers.location);
    expect((await request(collection.json._links.describedby.href)).status).to.equal(200);
    expect((await request(`${origin}/api/v2/rels/item`)).status).to.equal(200);
    expect((await request(`${origin}/api/v2/openapi.json`)).status).to.equal(200);
    expectProblem(await request(`${origin}/items`), 404);
  });
});

describe('server: link relation pages', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode()));
  afterEach(async () => node.close());

  it('serves each sync relation as Markdown', async () => {
    for (const rel of ['collection', 'transactions', 'item', 'entry', 'job']) {
      const reply = await request(`${node.url}rels/${rel}`);
      expect(reply.status).to.equal(200);
      expect(reply.headers['content-type']).to.match(/^text\/markdown/);
      expect(reply.text).to.contain(`# sync:${rel}`);
    }
  });

  it('serves a small HTML page to a browser', async () => {
    const reply = await request(`${node.url}rels/transactions`, { headers: { Accept: 'text/html' } });
    expect(reply.headers['content-type']).to.match(/^text\/html/);
    expect(reply.text).to.contain('<h1>sync:transactions</h1>').and.contain('<code>');
  });

  it('answers 404 for an unknown relation', async () => {
    expectProblem(await request(`${node.url}rels/nope`), 404, 'not-found');
    expectProblem(await request(`${node.url}rels/..%2Fpackage.json`), 404);
  });
});
