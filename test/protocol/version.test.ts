import { expect } from 'chai';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { sameVersion, versionOf, versionWithData } from '../../lib/protocol/version.js';

describe('protocol/version', () => {
  const row = {
    itemId: 'x',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fingerprint: fingerprint({ a: 1 }),
    deleted: false,
    data: { a: 1 },
    seq: 7,
    recordedAt: 'r',
  };

  it('projects the version and nothing else', () => {
    expect(versionOf(row)).to.deep.equal({ updatedAt: row.updatedAt, fingerprint: row.fingerprint, deleted: false });
    expect(versionWithData(row)).to.deep.equal({ updatedAt: row.updatedAt, fingerprint: row.fingerprint, deleted: false, data: { a: 1 } });
    // versionWithData spells the fields out: it must list exactly versionOf's, and data.
    expect(Object.keys(versionWithData(row))).to.deep.equal([...Object.keys(versionOf(row)), 'data']);
  });

  it('gives a tombstone null data whatever the source held', () => {
    expect(versionWithData({ ...row, deleted: true }).data).to.equal(null);
  });

  it('compares by fingerprint and deleted flag, not by time', () => {
    const later = { ...row, updatedAt: '2030-01-01T00:00:00.000Z' };
    expect(sameVersion(row, later)).to.equal(true);
    expect(sameVersion(row, { ...row, deleted: true })).to.equal(false);
  });
});
