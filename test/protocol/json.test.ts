import { expect } from 'chai';
import { findJsonFlaw, MAX_DEPTH } from '../../lib/protocol/json.js';
import type { Json } from '../../lib/protocol/types.js';

/** What JSON.parse accepts but no protocol value may be (lib/protocol/json.ts). */
describe('protocol/json', () => {
  const nested = (depth: number): Json => {
    let value: Json = 1;
    for (let i = 0; i < depth; i++) value = [value];
    return value;
  };

  it('finds nothing wrong in ordinary JSON, paired surrogates included', () => {
    expect(findJsonFlaw({ a: [1, 'x', null, true, { '😀': '😀' }] })).to.equal(null);
    expect(findJsonFlaw(nested(MAX_DEPTH))).to.equal(null);
  });

  it('finds a number out of range, with its pointer', () => {
    expect(findJsonFlaw(JSON.parse('{"a":[0,1e999]}') as Json)).to.deep.include({ pointer: '/a/1', detail: 'number out of range' });
  });

  it('finds nesting past the limit (iteratively: a very deep document does not overflow the stack)', () => {
    expect(findJsonFlaw(nested(MAX_DEPTH + 1))!.detail).to.equal(`nested deeper than ${MAX_DEPTH} levels`);
    expect(findJsonFlaw(nested(3), 2)!.pointer).to.equal('/0/0');
    expect(findJsonFlaw(nested(200_000))).to.not.equal(null);
  });

  it('finds a lone surrogate in a value or in a key, the key escaped in the pointer', () => {
    expect(findJsonFlaw({ a: 'x\ud800' })).to.deep.include({ pointer: '/a' });
    expect(findJsonFlaw({ 'a/b': { 'k\udc00': 1 } })).to.deep.include({ pointer: '/a~1b/k\udc00' });
    expect(findJsonFlaw('\udc00\ud800')!.summary).to.contain('lone surrogate');
  });
});
