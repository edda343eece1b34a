import { expect } from 'chai';
import { isItemId } from '../../lib/protocol/ids.js';

describe('isItemId', () => {
  it('accepts a UUID in either case and nothing else', () => {
    expect(isItemId('0b7c3c2e-5f1a-4d6e-9a3b-1c2d3e4f5a6b')).to.equal(true);
    expect(isItemId('0B7C3C2E-5F1A-4D6E-9A3B-1C2D3E4F5A6B')).to.equal(true);
    for (const text of [
      '',
      'transactions',
      'conflicts',
      '0b7c3c2e5f1a4d6e9a3b1c2d3e4f5a6b',
      '0b7c3c2e-5f1a-4d6e-9a3b-1c2d3e4f5a6',
      ' 0b7c3c2e-5f1a-4d6e-9a3b-1c2d3e4f5a6b',
    ]) {
      expect(isItemId(text), text).to.equal(false);
    }
  });
});
