import { expect } from 'chai';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';

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
