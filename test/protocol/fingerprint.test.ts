import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import { canonicalJson, fingerprint, sha1Hex, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { testSeed } from '../support/random.js';

describe('protocol/fingerprint', () => {
  it('writes RFC 8785 canonical JSON: sorted keys, no spaces, shortest numbers', () => {
    expect(canonicalJson({ b: [1, 'x', null], a: { d: true, c: 1e21 } })).to.equal('{"a":{"c":1e+21,"d":true},"b":[1,"x",null]}');
    expect(canonicalJson(1.0)).to.equal('1');
    expect(canonicalJson('é\u2028')).to.equal('"é\u2028"');
  });

  it('fingerprints equal data equally, whatever its key order, and different data differently', () => {
    expect(fingerprint({ a: 1, b: 2 })).to.equal(fingerprint({ b: 2, a: 1 }));
    expect(fingerprint({ a: 1 })).to.not.equal(fingerprint({ a: '1' }));
    expect(fingerprint({ a: 1 })).to.match(/^[0-9a-f]{40}$/);
    expect(fingerprint({ a: 1 })).to.equal(createHash('sha1').update('{"a":1}').digest('hex'));
  });

  it("takes a tombstone's fingerprint as that of null", () => {
    expect(TOMBSTONE_FINGERPRINT).to.equal(fingerprint(null));
    expect(TOMBSTONE_FINGERPRINT).to.equal('2be88ca4242c76e8253ac62474851065032d6833');
  });

  it('refuses a value with no JSON form', () => {
    expect(() => canonicalJson(undefined as never)).to.throw(TypeError, /no JSON form/);
  });
});

describe('protocol: canonicalJson and fingerprint (RFC 8785)', () => {
  it('sorts members by UTF-16 code units, integer-like names too, and drops no array element', () => {
    expect(canonicalJson({ b: 1, a: [null, true, 'x'], '10': 0, '9': 0, é: 0, z: 0 })).to.equal('{"10":0,"9":0,"a":[null,true,"x"],"b":1,"z":0,"é":0}');
    // U+1F600 is the surrogate pair D83D DE00, which sorts before U+FB33 by UTF-16 code units (RFC 8785 §3.2.3).
    expect(canonicalJson({ '\uFB33': 2, '\u{1F600}': 1 })).to.equal('{"\u{1F600}":1,"\uFB33":2}');
  });

  it('writes numbers as ECMAScript does (RFC 8785 §3.2.2.3)', () => {
    // The last two from their text, as JSON.parse would read them (their literals lose precision, on purpose).
    expect(canonicalJson([-0, 1e21, 1e-7, 0.1 + 0.2, Number('333333333.33333329'), Number('9007199254740993')] as Json)).to.equal(
      '[0,1e+21,1e-7,0.30000000000000004,333333333.3333333,9007199254740992]',
    );
  });

  it('refuses what has no canonical form: NaN, Infinity, lone surrogates', () => {
    for (const bad of [NaN, Infinity, -Infinity, '\uD800', { k: 'a\uDC00' }, ['\uD83D']]) {
      expect(() => canonicalJson(bad as Json), JSON.stringify(String(bad))).to.throw(Error);
    }
  });

  it('hashes as the pure SHA-1 a browser uses does, for any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => {
        expect(sha1Hex(text)).to.equal(bytesToHex(sha1(utf8ToBytes(text))));
      }),
    );
  });

  it('a tombstone is the fingerprint of null; equal data, equal fingerprint whatever the member order', () => {
    expect(TOMBSTONE_FINGERPRINT).to.equal('2be88ca4242c76e8253ac62474851065032d6833');
    expect(fingerprint({ a: 1, b: { c: [1, 2] } })).to.equal(fingerprint({ b: { c: [1, 2] }, a: 1 }));
  });
});

/**
 * canonicalJson answers from JSON.stringify when a value is already in canonical order and from
 * the `canonicalize` package otherwise: the package is the oracle, for the text and for what throws.
 */
describe('protocol/fingerprint: the fast path answers as the library does', () => {
  // Keys that sort differently by code unit than by code point or by Object.keys' integer-first
  // order, and keys with a meaning of their own elsewhere in JavaScript.
  const KEYS = ['', 'a', 'b', 'A', 'z', 'é', '0', '1', '2', '9', '10', '01', '-1', '1e3', '1.5', '4294967294', '4294967295'];
  const ODD_KEYS = ['__proto__', 'toJSON', '\uFB33', '\u{1F600}', '\u{10FFFF}', '\uFFFF', '\u0000', 'a\u{1F600}', 'a\uFB33', 'ä', '\u00e4'];
  const NUMBERS = [-0, 0, 1e21, 1e-7, 5e-324, Number.MAX_VALUE, 2 ** 53, -(2 ** 53), 0.1 + 0.2, 123456789012345680000, 1e300, -1.5e-300];
  const number = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constantFrom(...NUMBERS));

  /** JSON values whose strings (keys included) are drawn from `text`. */
  function values(text: fc.Arbitrary<string>, numbers: fc.Arbitrary<number>): fc.Arbitrary<Json> {
    const key = fc.oneof(fc.constantFrom(...KEYS, ...ODD_KEYS), text);
    const { value } = fc.letrec<{ value: Json; array: Json[]; object: Record<string, Json> }>((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), numbers, text, tie('array'), tie('object')),
      array: fc.array(tie('value'), { maxLength: 5 }),
      // Object.fromEntries defines each key as a member, "__proto__" too.
      object: fc.array(fc.tuple(key, tie('value')), { maxLength: 6 }).map((members) => Object.fromEntries(members) as Record<string, Json>),
    }));
    return fc.oneof(
      value,
      value.map(inSortedOrder),
      fc.jsonValue({ stringUnit: 'binary' }) as fc.Arbitrary<Json>,
      (fc.jsonValue() as fc.Arbitrary<Json>).map(inSortedOrder),
    );
  }

  /** The value with every object's keys inserted in canonical order (integer-like ones still come first). */
  function inSortedOrder(value: Json): Json {
    if (Array.isArray(value)) return value.map(inSortedOrder);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, inSortedOrder(value[key]!)]),
    ) as Json;
  }

  /** The text, or the message of what was thrown. */
  function outcome(write: () => string | undefined): string {
    try {
      return `text ${write()}`;
    } catch (error) {
      return `threw ${(error as Error).message}`;
    }
  }

  it("writes the library's text and fingerprint for any JSON value, keys in order or not", () => {
    const seed = testSeed('canonical JSON values');
    let stringified = 0;
    let sorted = 0;
    fc.assert(
      fc.property(values(fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' })), number), (value) => {
        const expected = canonicalize(value)!;
        expect(canonicalJson(value)).to.equal(expected);
        expect(fingerprint(value)).to.equal(createHash('sha1').update(expected).digest('hex'));
        if (JSON.stringify(value) === expected) stringified++;
        else sorted++;
      }),
      { seed, numRuns: 2000 },
    );
    // Both paths were taken, many times each.
    expect(stringified, 'values already in canonical order').to.be.above(200);
    expect(sorted, 'values the library had to sort').to.be.above(200);
  });

  it('throws as the library does, or writes its text, for values with lone surrogates and numbers out of range', () => {
    const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit));
    const text = fc.oneof(fc.string({ unit: 'grapheme' }), fc.string({ unit: codeUnit, maxLength: 4 }));
    const numbers = fc.oneof(number, fc.constantFrom(NaN, Infinity, -Infinity));
    let threw = 0;
    fc.assert(
      fc.property(values(text, numbers), (value) => {
        const expected = outcome(() => canonicalize(value));
        expect(outcome(() => canonicalJson(value))).to.equal(expected);
        if (expected.startsWith('threw')) threw++;
      }),
      { seed: testSeed('canonical JSON of values with flaws'), numRuns: 2000 },
    );
    expect(threw, 'values the library refused').to.be.above(100);
  });

  it("refuses a lone surrogate in a value or a key, and a number out of range, with the library's error", () => {
    const bad: Json[] = ['\uD800', 'x\uDC00', ['\uD83D'], { a: 1, b: { c: ['ok', 'a\uDBFF'] } }, { '\uDC00': 1 }, { a: 1, ['z\uD800']: 2 }];
    for (const value of bad) {
      expect(() => canonicalJson(value), JSON.stringify(value)).to.throw(Error, 'Lone surrogate is not allowed');
    }
    expect(() => canonicalJson({ a: [NaN] })).to.throw(Error, 'NaN is not allowed');
    expect(() => canonicalJson({ a: -Infinity })).to.throw(Error, 'Infinity is not allowed');
    expect(canonicalJson({ '\u{1F600}': '\u{1F600}' })).to.equal('{"\u{1F600}":"\u{1F600}"}');
  });

  it('puts integer-like keys in code-unit order, not the numeric order Object.keys lists them in', () => {
    const data = { '9': 0, '10': 0, '1e3': 0, '2': 0, a: 0 };
    expect(Object.keys(data)).to.deep.equal(['2', '9', '10', '1e3', 'a']);
    expect(canonicalJson(data)).to.equal('{"10":0,"1e3":0,"2":0,"9":0,"a":0}');
    expect(canonicalJson({ '1': 0, '2': { '3': 0, b: 0 }, a: 0 })).to.equal('{"1":0,"2":{"3":0,"b":0},"a":0}');
  });

  it('writes -0 as 0, as JSON.stringify does', () => {
    expect(canonicalJson(-0)).to.equal('0');
    expect(canonicalJson({ a: [-0], b: -0 })).to.equal('{"a":[0],"b":0}');
    expect(fingerprint({ a: -0 })).to.equal(fingerprint({ a: 0 }));
  });

  it("answers as the library does past the fast path's depth, and for what is not JSON", () => {
    let deep: Json = { b: 1, a: 2 };
    for (let i = 0; i < 100; i++) deep = i % 2 ? [deep] : { k: deep };
    expect(canonicalJson(deep)).to.equal(canonicalize(deep));
    let sortedDeep: Json = { a: 1 };
    for (let i = 0; i < 100; i++) sortedDeep = [sortedDeep];
    expect(canonicalJson(sortedDeep)).to.equal(JSON.stringify(sortedDeep));
    // A boxed primitive and a hidden toJSON are written differently by JSON.stringify and the library.
    const hiddenToJson = Object.defineProperty({ a: 1 }, 'toJSON', { value: () => ({ b: 1, a: 2 }) });
    const notJson = [
      { a: new Date(0) },
      { a: undefined, b: 1 },
      [undefined],
      Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
      new Number(1),
      [new String('ab')],
      hiddenToJson,
    ];
    for (const value of notJson) expect(canonicalJson(value as never)).to.equal(canonicalize(value));
  });
});
