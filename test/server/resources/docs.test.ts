import { expect } from 'chai';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

describe('server: the API reference, the icon and other public pages', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode({ token: 'admin-token-0123' })));
  afterEach(async () => node.close());

  it('links /docs from the root as service-doc', async () => {
    const root = await request(node.url, { headers: { Authorization: 'Bearer admin-token-0123' } });
    expect(root.json._links['service-doc']).to.deep.equal({ href: `${node.url}docs`, type: 'text/html', title: 'API reference' });
  });

  it("serves Swagger UI from its own copy of swagger-ui-dist, pointed at the node's document, to anyone", async () => {
    const page = await request(`${node.url}docs`);
    expect(page.status).to.equal(200);
    expect(page.headers['content-type']).to.match(/^text\/html/);
    expect(page.text).to.contain('url: "/openapi"');
    const sources = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources.filter((s) => /^(https?:)?\/\//.test(s))).to.deep.equal([]);
    for (const [asset, type] of [
      ['docs/swagger-ui-bundle.js', /^text\/javascript/],
      ['docs/swagger-ui.css', /^text\/css/],
    ] as const) {
      expect(sources).to.include(`/${asset}`);
      const reply = await request(node.url + asset);
      expect(reply.status, asset).to.equal(200);
      expect(reply.headers['content-type'], asset).to.match(type);
      expect(reply.text.length, asset).to.be.greaterThan(10_000);
    }
  });

  it('serves /favicon.ico, an icon, to anyone', async () => {
    const icon = await request(`${node.url}favicon.ico`);
    expect(icon.status).to.equal(200);
    expect(icon.headers['content-type']).to.equal('image/x-icon');
    // ICONDIR: reserved 0, type 1 (icon), one image.
    expect(Buffer.from(icon.text, 'latin1').subarray(0, 6).toString('hex')).to.equal('000001000100');
  });

  it("refuses what holds data to a stranger: writes, and a page's data asked as HAL", async () => {
    expect((await request(`${node.url}docs`, { method: 'POST', body: {} })).status).to.equal(401);
    expect((await request(`${node.url}items`, { headers: { Accept: 'application/hal+json' } })).status).to.equal(401);
    expect((await request(`${node.url}items`, { method: 'POST', headers: { Accept: 'text/html' }, body: { data: {} } })).status).to.equal(401);
  });
});
