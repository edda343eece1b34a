import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { CURIE_PREFIX, rels, syncRels } from '../../lib/protocol/rels.js';
import { SPEC_DIR } from '../../lib/protocol/schemas.js';

describe('protocol/rels', () => {
  it('names every sync relation by its CURIE, and lists exactly those', () => {
    const curies = Object.values(rels).filter((rel) => rel.startsWith(`${CURIE_PREFIX}:`));
    expect(curies.map((rel) => rel.slice(CURIE_PREFIX.length + 1)).sort()).to.deep.equal([...syncRels].sort());
    for (const name of syncRels) expect(rels[name]).to.equal(`sync:${name}`);
  });

  it('has a document in spec/rels/ for every sync relation (served at /rels/{rel})', () => {
    for (const name of syncRels) expect(existsSync(new URL(`rels/${name}.md`, SPEC_DIR)), name).to.equal(true);
  });
});
