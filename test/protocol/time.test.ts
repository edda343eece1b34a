import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { isIsoTimestamp, isTimestamp, laterOf, parseDateTime, TIMESTAMP_PATTERN, toIso } from '../../lib/protocol/time.js';

describe('protocol/time', () => {
  it('takes YYYY-MM-DDTHH:MM:SS.sssZ on real calendar dates', () => {
    for (const text of ['2025-06-01T23:59:59.999Z', '2024-02-29T00:00:00.000Z', '0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z'])
      expect(isTimestamp(text), text).to.equal(true);
  });

  it('refuses a leap second, impossible dates and times, and every other spelling', () => {
    for (const text of [
      '2025-06-01T23:59:60.000Z',
      '2025-02-29T00:00:00.000Z',
      '2025-04-31T00:00:00.000Z',
      '2025-13-01T00:00:00.000Z',
      '2025-00-01T00:00:00.000Z',
      '2025-01-00T00:00:00.000Z',
      '2025-01-01T24:00:00.000Z',
      '2025-01-01T00:60:00.000Z',
      '2025-01-01T00:00:00Z',
      '2025-01-01T00:00:00.000+00:00',
      '2025-01-01t00:00:00.000z',
      '+010000-01-01T00:00:00.000Z',
      ' 2025-01-01T00:00:00.000Z',
    ])
      expect(isTimestamp(text), text).to.equal(false);
  });

  it('knows the days of every month as the calendar Date uses does, century and 400-year leap rules included', () => {
    for (const year of [1, 4, 100, 1600, 1700, 1900, 2000, 2023, 2024, 2100, 2400, 9999])
      for (let month = 1; month <= 12; month++)
        for (const day of [28, 29, 30, 31]) {
          const text = `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${day}T00:00:00.000Z`;
          const date = new Date(0);
          date.setUTCFullYear(year, month - 1, day);
          expect(isTimestamp(text), text).to.equal(date.getUTCDate() === day);
        }
  });

  it('is the grammar spec/defs.schema.json states', () => {
    const defs = JSON.parse(readFileSync(new URL('../../../spec/defs.schema.json', import.meta.url), 'utf8'));
    expect(defs.$defs.timestamp.pattern).to.equal(TIMESTAMP_PATTERN);
  });

  it('parses an RFC 3339 date-time with any offset to its instant', () => {
    expect(parseDateTime('9999-12-31T23:59:59.999-14:00')).to.equal(Date.UTC(9999, 11, 31, 23, 59, 59, 999) + 14 * 3600_000);
    expect(parseDateTime('2030-01-31T09:00:00+01:30')).to.equal(Date.UTC(2030, 0, 31, 7, 30));
    expect(parseDateTime('2030-01-31T09:00:00.5Z')).to.equal(Date.UTC(2030, 0, 31, 9, 0, 0, 500));
    for (const text of ['2030-02-30T00:00:00Z', '2030-01-31T09:00:00', '2030-01-31', '2030-01-31T09:00:60Z', '2030-01-31T09:00:00+24:00'])
      expect(parseDateTime(text), text).to.equal(null);
  });

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
