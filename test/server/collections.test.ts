import { expect } from 'chai';
import { ANY_OBJECT_SCHEMA, compileCollections } from '../../lib/server/collections.js';

describe('server/collections', () => {
  it('compiles each collection once: title defaults to the name, no schema accepts any object', () => {
    const collections = compileCollections([{ name: 'items' }, { name: 'notes', title: 'Notes' }]);
    expect([...collections.keys()]).to.deep.equal(['items', 'notes']);
    const items = collections.get('items')!;
    expect(items.title).to.equal('items');
    expect(collections.get('notes')!.title).to.equal('Notes');
    expect(items.schema).to.deep.equal(ANY_OBJECT_SCHEMA);
    expect(items.check({ anything: [1, 2] }, '/data')).to.deep.equal([]);
    expect(items.check([1] as never, '/data')).to.deep.equal([{ pointer: '/data', detail: 'must be object' }]);
  });

  it("checks data against the collection's schema, pointers under the given prefix", () => {
    const schema = {
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string', maxLength: 5 }, when: { type: 'string', format: 'date-time' } },
      additionalProperties: false,
    };
    const notes = compileCollections([{ name: 'notes', schema }]).get('notes')!;
    expect(notes.check({ title: 'ok' }, '/entries/0/data')).to.deep.equal([]);
    const errors = notes.check({ title: 'too long', when: 'yesterday', extra: 1 }, '/entries/0/data');
    expect(errors.map((e) => e.pointer).sort()).to.deep.equal(['/entries/0/data/extra', '/entries/0/data/title', '/entries/0/data/when']);
    expect(notes.check({}, '')).to.deep.equal([{ pointer: '/title', detail: 'required field is missing' }]);
  });

  it('takes a draft-07 schema as draft-07, and each collection its own $id', () => {
    const draft7 = { $schema: 'http://json-schema.org/draft-07/schema#', $id: 'https://x.test/s', type: 'object', properties: { n: { type: 'integer' } } };
    const collections = compileCollections([
      { name: 'a', schema: draft7 },
      { name: 'b', schema: { ...draft7, $schema: 'https://json-schema.org/draft/2020-12/schema' } },
    ]);
    expect(collections.get('a')!.check({ n: 1.5 }, '')).to.deep.equal([{ pointer: '/n', detail: 'must be integer' }]);
    expect(collections.get('b')!.check({ n: 2 }, '')).to.deep.equal([]);
  });

  it('refuses a name that is no plain path segment, a reserved one, a duplicate, and an invalid schema', () => {
    for (const name of ['', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace', 'é']) {
      expect(() => compileCollections([{ name }]), name).to.throw(/must be letters, digits/);
    }
    expect(() => compileCollections([{ name: 'jobs' }], new Set(['jobs', 'rels']))).to.throw(/collection name "jobs" is reserved: jobs, rels/);
    expect(() => compileCollections([{ name: 'items' }, { name: 'items' }])).to.throw(/configured twice/);
    expect(() => compileCollections([{ name: 'bad', schema: { type: 'no-such-type' } }])).to.throw(/collection "bad": invalid JSON Schema/);
    expect(compileCollections([{ name: 'A-z._~0' }]).has('A-z._~0')).to.equal(true);
  });
});
