import { createHash } from 'node:crypto';
import { expect } from 'chai';
import fc from 'fast-check';
import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson, fingerprint, sha1Hex, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';

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
