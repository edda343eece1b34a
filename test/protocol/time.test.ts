import { expect } from 'chai';
import { isIsoTimestamp, laterOf, toIso } from '../../lib/protocol/time.js';

describe('protocol/time', () => {
  it('accepts only ISO 8601 UTC with milliseconds that names a real instant', () => {
    expect(isIsoTimestamp('2026-11-26T09:55:29.123Z')).to.equal(true);
    for (const bad of ['2026-11-26T09:55:29Z', '2026-11-26T09:55:29.123+00:00', '2026-11-26 09:55:29.123Z', '2026-13-01T00:00:00.000Z', 'x', '']) {
      expect(isIsoTimestamp(bad), bad).to.equal(false);
    }
  });

  it('writes a date in that form', () => {
    expect(toIso(new Date(Date.UTC(2030, 0, 2, 3, 4, 5, 6)))).to.equal('2030-01-02T03:04:05.006Z');
    expect(isIsoTimestamp(toIso(new Date()))).to.equal(true);
  });

  it('picks the later of two timestamps, either order', () => {
    const [a, b] = ['2030-01-01T00:00:00.000Z', '2030-01-01T00:00:00.001Z'];
    expect(laterOf(a, b)).to.equal(b);
    expect(laterOf(b, a)).to.equal(b);
    expect(laterOf(a, a)).to.equal(a);
  });
});
