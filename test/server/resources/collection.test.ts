import { expect } from 'chai';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

describe('server/resources/collection', () => {
  let node: StartedNode;
  beforeEach(async () => {
    node = await startNode({ collections: [{ name: 'items', title: 'Things' }] });
  });
  afterEach(async () => node.close());

  it('links a collection to its log, its items, its schema and its conflicts', async () => {
    const reply = await request(`${node.url}items`);
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.match(/^application\/hal\+json/);
    expectValid('collection', reply.json);
    expect(reply.json).to.deep.include({ name: 'items', title: 'Things' });
    const links = reply.json._links;
    expect(links.self.href).to.equal(`${node.url}items`);
    expect(links.up.href).to.equal(node.url);
    expect(links['sync:transactions']).to.deep.equal({ href: `${node.url}items/transactions{?earliest,cursor,limit,embed}`, templated: true });
    expect(links['sync:item']).to.deep.equal({ href: `${node.url}items/{itemId}`, templated: true });
    expect(links.describedby).to.deep.equal({ href: `${node.url}schemas/items`, type: 'application/schema+json' });
    expect(links['sync:conflicts'].href).to.equal(`${node.url}items/conflicts`);
  });

  it('creates an item by POST, and refuses invalid data with 422, writing nothing', async () => {
    const created = await request(`${node.url}items`, { method: 'POST', body: { data: { text: 'new' } } });
    expect(created.status, created.text).to.equal(201);
    expect(created.headers.location).to.match(new RegExp(`^${node.url}items/[0-9a-f-]{36}$`));
    expect((await request(created.headers.location!)).json.data).to.deep.equal({ text: 'new' });
    const before = await node.store.highWater();
    expectProblem(await request(`${node.url}items`, { method: 'POST', body: { data: 'not an object' } }), 422, 'validation-failed');
    expect(await node.store.highWater()).to.equal(before);
  });

  it('answers 404 for a collection the node does not have, GET or POST', async () => {
    expectProblem(await request(`${node.url}nope`), 404, 'not-found');
    expectProblem(await request(`${node.url}nope`, { method: 'POST', body: { data: {} } }), 404, 'not-found');
  });
});
