import { expect } from 'chai';
import { MAX_WAIT_SECONDS, waitPreference } from '../../../lib/server/http/prefer.js';

describe('server/http/prefer: Prefer: wait', () => {
  it('reads the wait preference among others, in any case, quoted or not, with parameters', () => {
    expect(waitPreference('wait=5')).to.equal(5);
    expect(waitPreference('respond-async, WAIT=7')).to.equal(7);
    expect(waitPreference('wait="9"')).to.equal(9);
    expect(waitPreference('wait = 3 ; foo=bar, return=minimal')).to.equal(3);
  });

  it(`caps it at ${MAX_WAIT_SECONDS} s`, () => {
    expect(waitPreference(`wait=${MAX_WAIT_SECONDS + 1}`)).to.equal(MAX_WAIT_SECONDS);
    expect(waitPreference('wait=999999999')).to.equal(MAX_WAIT_SECONDS);
  });

  it('ignores an absent, zero or malformed wait: a preference, never an error', () => {
    for (const header of ['', 'respond-async', 'wait', 'wait=0', 'wait=-1', 'wait=1.5', 'wait=abc', 'wait=1234567890']) {
      expect(waitPreference(header), header).to.equal(undefined);
    }
  });
});
