import { expect } from 'chai';
import fc from 'fast-check';
import { findJsonFlaw, hasLoneSurrogate, MAX_DEPTH } from '../../lib/protocol/json.js';
import type { Json } from '../../lib/protocol/types.js';
import { testSeed } from '../support/random.js';

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

describe('protocol/json: findJsonFlaw, pointers built only for the flaw', () => {
  it('finds nothing in sound JSON, however wide', () => {
    const wide = { entries: Array.from({ length: 1000 }, (_, i) => ({ itemId: String(i), data: { a: [1, 'x', null, true], 'b/c': { d: 1.5 } } })) };
    expect(findJsonFlaw(wide as Json)).to.equal(null);
  });

  it('names a number out of range by its RFC 6901 pointer, escaping ~ and /', () => {
    const flaw = findJsonFlaw(JSON.parse('{"ok":[1,2],"a/b~":[1,1e999]}') as Json);
    expect(flaw).to.include({ pointer: '/a~1b~0/1', detail: 'number out of range' });
  });

  it('names a lone surrogate in a value and in a key', () => {
    expect(findJsonFlaw(JSON.parse('{"x":["fine","\\ud800"]}') as Json)?.pointer).to.equal('/x/1');
    expect(findJsonFlaw(JSON.parse('{"x":{"k\\udc00":1}}') as Json)?.pointer).to.equal('/x/k\udc00');
    expect(findJsonFlaw({ x: '\u{1F600}' })).to.equal(null);
  });

  it('names the first value past the depth limit, and takes the limit itself', () => {
    const nest = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as Json;
    expect(findJsonFlaw(nest(MAX_DEPTH))).to.equal(null);
    const flaw = findJsonFlaw(nest(MAX_DEPTH + 1));
    expect(flaw?.pointer).to.equal('/0'.repeat(MAX_DEPTH));
    expect(flaw?.detail).to.equal(`nested deeper than ${MAX_DEPTH} levels`);
  });

  it('does not overflow the stack on a hostile depth', () => {
    expect(findJsonFlaw(JSON.parse('['.repeat(100000) + ']'.repeat(100000)) as Json)?.detail).to.match(/nested deeper/);
  });
});

describe('protocol/json: hasLoneSurrogate', () => {
  it('finds a high surrogate without its low one, or a low one without its high one, anywhere in any text', () => {
    const pattern = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    // Mostly surrogates, so that pairs, lone halves and reversed pairs all come up.
    const unit = fc.oneof(fc.integer({ min: 0xd800, max: 0xdfff }), fc.integer({ min: 0, max: 0xffff })).map((code) => String.fromCharCode(code));
    fc.assert(
      fc.property(fc.string({ unit, maxLength: 6 }), (text) => {
        expect(hasLoneSurrogate(text), JSON.stringify(text)).to.equal(pattern.test(text));
        expect(findJsonFlaw({ [text]: 'x' }) !== null).to.equal(pattern.test(text));
        expect(findJsonFlaw(['x', text]) !== null).to.equal(pattern.test(text));
      }),
      { seed: testSeed('surrogate texts'), numRuns: 2000 },
    );
    expect([hasLoneSurrogate('\u{1F600}'), hasLoneSurrogate('\uDE00\uD83D'), hasLoneSurrogate('a\uD83D'), hasLoneSurrogate('')]).to.deep.equal([
      false,
      true,
      true,
      false,
    ]);
  });
});
