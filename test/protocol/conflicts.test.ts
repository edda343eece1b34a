import { expect } from 'chai';
import { conflictId, losers, type ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';

const version = (data: { v: string }, updatedAt: string) => ({ updatedAt, fingerprint: fingerprint(data), deleted: false, data });

function decision(overrides: Partial<Omit<ConflictRecord, 'conflictId' | 'decidedAt'>> = {}): Omit<ConflictRecord, 'conflictId' | 'decidedAt'> {
  const local = version({ v: 'l' }, '2030-01-01T00:00:00.000Z');
  const remote = version({ v: 'r' }, '2030-01-01T00:00:01.000Z');
  return {
    itemId: '00000000-0000-4000-8000-000000000001',
    peer: 'http://peer.test/',
    rule: 'newer',
    winner: 'remote',
    local,
    remote,
    result: { updatedAt: remote.updatedAt, fingerprint: remote.fingerprint, deleted: false },
    ...overrides,
  };
}

describe('protocol/conflicts', () => {
  it('derives a version-5 UUID from what was decided: the same decision, the same id', () => {
    const id = conflictId('items', decision());
    expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(conflictId('items', decision())).to.equal(id);
    // The rule, winner and result are how it was decided, not what: a re-decision is the same record.
    expect(conflictId('items', decision({ rule: 'prefer-local', winner: 'local' }))).to.equal(id);
  });

  it('gives another collection, item, peer or version another id', () => {
    const id = conflictId('items', decision());
    const others = [
      conflictId('notes', decision()),
      conflictId('items', decision({ itemId: '00000000-0000-4000-8000-000000000002' })),
      conflictId('items', decision({ peer: 'store:other' })),
      conflictId('items', decision({ local: version({ v: 'l2' }, '2030-01-01T00:00:00.000Z') })),
      conflictId('items', decision({ remote: { ...decision().remote, deleted: true } })),
    ];
    expect(new Set([id, ...others]).size).to.equal(others.length + 1);
  });

  it('names the losing sides: the other one, or both after a merge', () => {
    expect(losers({ winner: 'local' })).to.deep.equal(['remote']);
    expect(losers({ winner: 'remote' })).to.deep.equal(['local']);
    expect(losers({ winner: 'merged' })).to.deep.equal(['local', 'remote']);
  });
});
