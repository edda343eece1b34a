import { expect } from 'chai';
import { parse } from 'yaml';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const SCHEMA = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', required: ['title'], properties: { title: { type: 'string' } } };

describe('server/resources/schemas', () => {
  let node: StartedNode;
  before(async () => {
    node = await startNode({ collections: [{ name: 'items' }, { name: 'notes', schema: SCHEMA }] });
  });
  after(async () => node.close());

  it("serves each collection's item schema as application/schema+json (describedby)", async () => {
    const notes = await request(`${node.url}schemas/notes`);
    expect(notes.status).to.equal(200);
    expect(notes.headers['content-type']).to.match(/^application\/schema\+json/);
    expect(notes.json).to.deep.equal(SCHEMA);
    expect((await request(`${node.url}schemas/items`)).json.type).to.equal('object');
    expectProblem(await request(`${node.url}schemas/nope`), 404, 'not-found');
  });

  it('serves the OpenAPI document as JSON by default, in the JSON type asked for, and as YAML when asked', async () => {
    const json = await request(`${node.url}openapi`);
    expect(json.headers['content-type']).to.match(/^application\/json/);
    expect(json.json.openapi).to.match(/^3\./);
    const oai = await request(`${node.url}openapi`, { headers: { Accept: 'application/vnd.oai.openapi+json' } });
    expect(oai.headers['content-type']).to.match(/^application\/vnd\.oai\.openapi\+json/);
    for (const type of ['application/yaml', 'application/vnd.oai.openapi']) {
      const yaml = await request(`${node.url}openapi`, { headers: { Accept: type } });
      expect(yaml.headers['content-type']).to.equal(`${type}; charset=utf-8`);
      expect(parse(yaml.text)).to.deep.equal(json.json);
    }
  });
});
