import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { canonicalJson, fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';

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
