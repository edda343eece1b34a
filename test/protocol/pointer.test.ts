import { expect } from 'chai';
import { pointerToken } from '../../lib/protocol/pointer.js';

describe('pointerToken', () => {
  it('escapes ~ before / (RFC 6901 §3), so ~1 in a key stays itself', () => {
    expect(pointerToken('plain')).to.equal('plain');
    expect(pointerToken('a/b')).to.equal('a~1b');
    expect(pointerToken('m~n')).to.equal('m~0n');
    expect(pointerToken('~1')).to.equal('~01');
    expect(pointerToken('')).to.equal('');
  });
});
