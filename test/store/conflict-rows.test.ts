import { expect } from 'chai';
import type { ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { conflictValues, toConflictsPage, toStoredConflict, type ConflictRow } from '../../lib/store/conflict-rows.js';

const version = (data: Record<string, number>) => ({ updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data });
const record: ConflictRecord = {
  conflictId: '11111111-1111-5111-8111-111111111111',
  itemId: '00000000-0000-4000-8000-000000000001',
  peer: 'http://peer.test/',
  rule: 'newer',
  winner: 'remote',
  decidedAt: '2030-01-03T00:00:00.000Z',
  local: version({ z: 1, a: 2 }),
  remote: version({ r: 1 }),
  result: { updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint({ r: 1 }), deleted: false },
};

describe('store/conflict-rows: SQL rows as conflict records', () => {
  it('writes the record as its JSON text beside the columns queries filter on', () => {
    expect(conflictValues(record)).to.deep.equal([record.conflictId, record.itemId, record.decidedAt, JSON.stringify(record)]);
  });

  it('reads a row back exactly, data key order included, with its position and restore', () => {
    const [, , , text] = conflictValues(record);
    const plain = toStoredConflict({ position: '12', record: text, restored_side: null, restored_at: null });
    expect(plain).to.deep.equal({ ...record, position: 12, restored: null });
    expect(Object.keys(plain.local.data as object)).to.deep.equal(['z', 'a']);
    const restored = toStoredConflict({ position: 3, record: text, restored_side: 'local', restored_at: '2030-02-01T00:00:00.000Z' });
    expect(restored.restored).to.deep.equal({ side: 'local', restoredAt: '2030-02-01T00:00:00.000Z' });
    // Half a restore (a side without a time) is no restore.
    expect(toStoredConflict({ position: 3, record: text, restored_side: 'local', restored_at: null }).restored).to.equal(null);
  });

  it('pages: limit + 1 rows mean more', () => {
    const rows: ConflictRow[] = [3, 2, 1].map((position) => ({ position, record: JSON.stringify(record), restored_side: null, restored_at: null }));
    const page = toConflictsPage(rows, 2);
    expect(page.hasMore).to.equal(true);
    expect(page.records.map((r) => r.position)).to.deep.equal([3, 2]);
    expect(toConflictsPage(rows, 3).hasMore).to.equal(false);
  });
});
