import { expect } from 'chai';
import { compileCollections } from '../../../lib/server/collections.js';
import { DEFAULT_PATHS } from '../../../lib/server/http/links.js';
import { loadOpenApi } from '../../../lib/server/resources/openapi.js';
import { nodeOpenApi } from '../../../lib/server/resources/openapi-node.js';

type Obj = { [key: string]: unknown };

/** A node's OpenAPI document (lib/server/resources/openapi-node.ts) from the generic one; served and linted: test/server/resources/openapi.test.ts. */
describe('server/resources/openapi-node', () => {
  const schema = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { title: { type: 'string' } },
    required: ['title'],
  };

  async function build(): Promise<Obj> {
    const generic = await loadOpenApi();
    const collections = compileCollections([{ name: 'my-notes', title: 'My notes', schema }]).values();
    return nodeOpenApi(generic, { paths: DEFAULT_PATHS, collections });
  }

  it('writes each collection template out as the collection’s own paths', async () => {
    const paths = (await build())['paths'] as Obj;
    expect(paths).to.have.property('/my-notes/{itemId}');
    expect(paths).to.have.property('/my-notes/transactions');
    expect(paths).to.have.property('/jobs/{jobId}');
    expect(Object.keys(paths).filter((p) => p.includes('{collection}'))).to.deep.equal([]);
  });

  it('keeps the generic templates under x-generic-paths', async () => {
    const generics = (await build())['x-generic-paths'] as Obj;
    expect(generics).to.have.property('/{collection}/{itemId}');
  });

  it('adds the collection’s schema as a typed <Prefix>Data without its dialect', async () => {
    const schemas = ((await build())['components'] as Obj)['schemas'] as Obj;
    const data = schemas['MyNotesData'] as Obj;
    expect(data['type']).to.equal('object');
    expect(data['properties']).to.deep.equal({ title: { type: 'string' } });
    expect(data).not.to.have.property('$schema');
    const item = schemas['MyNotesItem'] as { properties: { data: Obj } };
    expect(item.properties.data['$ref']).to.equal('#/components/schemas/MyNotesData');
  });

  it('leaves the generic document untouched', async () => {
    const generic = await loadOpenApi();
    const before = JSON.stringify(generic);
    nodeOpenApi(generic, { paths: DEFAULT_PATHS, collections: compileCollections([{ name: 'notes', schema }]).values() });
    expect(JSON.stringify(generic)).to.equal(before);
  });
});
