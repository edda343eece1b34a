import { expect } from 'chai';
import { parseDuration } from '../../lib/protocol/duration.js';

describe('parseDuration', () => {
  it('reads every unit, a bare number as seconds, and fractions', () => {
    expect(parseDuration('500ms')).to.equal(500);
    expect(parseDuration('90')).to.equal(90_000);
    expect(parseDuration('1.5m')).to.equal(90_000);
    expect(parseDuration('12H')).to.equal(12 * 3_600_000);
    expect(parseDuration(' 30d ')).to.equal(30 * 86_400_000);
    expect(parseDuration('2w')).to.equal(14 * 86_400_000);
  });

  it('refuses what is not a positive duration, naming the text', () => {
    for (const text of ['', '0', '0s', '-1d', '3 days', 'd', '1y', 'NaN']) {
      expect(() => parseDuration(text), text).to.throw(`"${text}" is not a duration`);
    }
  });
});
