import { expect } from 'chai';
import {
  changeOf,
  channelsOfWrite,
  grantChannels,
  isUnscoped,
  listsRemovals,
  mayShow,
  membershipChanges,
  mergePlacements,
  toScopedPage,
  type Placement,
} from '../../lib/store/scopes.js';
import type { StoredEntry, StoredItem, Write } from '../../lib/store/store.js';

/** The scoped log's rules on their own (lib/store/scopes.ts); the stores' use of them is test/store/conformance.ts. */
describe('store/scopes', () => {
  const item = (itemId: string, seq: number, channels: string[], deleted = false): StoredItem => ({
    itemId,
    seq,
    channels,
    deleted,
    data: deleted ? null : { itemId },
    fingerprint: `f${seq}`,
    updatedAt: '2026-01-01T00:00:00.000Z',
    recordedAt: `2026-01-01T00:00:0${seq}.000Z`,
  });
  const write = (extra: Partial<Write>): Write => ({
    itemId: 'a',
    deleted: false,
    data: {},
    fingerprint: 'f',
    updatedAt: null,
    precondition: { kind: 'none' },
    ...extra,
  });
  const place = (itemId: string, seq: number, member = true): Placement => ({ itemId, seq, member, recordedAt: `t${seq}` });

  it('reads the plain log with no grant or one holding *, a scoped log otherwise ([] included)', () => {
    expect(isUnscoped(undefined)).to.equal(true);
    expect(isUnscoped(['red', '*'])).to.equal(true);
    expect(isUnscoped(['red'])).to.equal(false);
    expect(isUnscoped([])).to.equal(false);
  });

  it("queries a grant's channels once each, in a stable order", () => {
    expect(grantChannels(['red', 'blue', 'red'])).to.deep.equal(['blue', 'red']);
  });

  it('lists removals only on a resumption (a positive cursor or a recordedSince), not on a full read', () => {
    expect(listsRemovals({ limit: 10, withData: false })).to.equal(false);
    expect(listsRemovals({ after: 0, limit: 10, withData: false })).to.equal(false);
    expect(listsRemovals({ after: 3, limit: 10, withData: false })).to.equal(true);
    expect(listsRemovals({ recordedSince: '2026-01-01T00:00:00Z', limit: 10, withData: false })).to.equal(true);
  });

  it("gives a write its channels as a set, and a deletion without any the deleted version's", () => {
    expect(channelsOfWrite(null, write({ channels: ['b', 'a', 'b'] }))).to.deep.equal(['a', 'b']);
    const previous = item('a', 1, ['red']);
    expect(channelsOfWrite(previous, write({ deleted: true, data: null }))).to.deep.equal(['red']);
    expect(channelsOfWrite(previous, write({ deleted: true, data: null, channels: ['blue'] }))).to.deep.equal(['blue']);
    expect(channelsOfWrite(null, write({ deleted: true, data: null }))).to.deep.equal([]);
    // A live write without channels has none, whatever the item had before.
    expect(channelsOfWrite(previous, write({}))).to.deep.equal([]);
  });

  it('changes the memberships of the channels an item had and has, once per item with its last row', () => {
    const before = new Map([['a', item('a', 1, ['red', 'blue'])]]);
    const changes = membershipChanges(before, [item('a', 2, ['red']), item('a', 3, ['green']), item('b', 4, [])]);
    expect(changes).to.deep.equal([
      { itemId: 'a', seq: 3, recordedAt: item('a', 3, []).recordedAt, channel: 'green', member: true },
      { itemId: 'a', seq: 3, recordedAt: item('a', 3, []).recordedAt, channel: 'red', member: false },
      { itemId: 'a', seq: 3, recordedAt: item('a', 3, []).recordedAt, channel: 'blue', member: false },
    ]);
    expect(changeOf(changes)).to.deep.equal({ channels: ['blue', 'green', 'red'] });
  });

  it('wakes a scoped reader only for a change it may see, and for one whose channels are unknown', () => {
    expect(mayShow({ channels: ['red'] }, ['blue'])).to.equal(false);
    expect(mayShow({ channels: ['red', 'blue'] }, ['blue'])).to.equal(true);
    expect(mayShow({ channels: ['red'] }, ['*'])).to.equal(true);
    expect(mayShow({ channels: [] }, undefined)).to.equal(true);
    expect(mayShow({}, ['blue'])).to.equal(true);
  });

  it('merges the channels places into the first `count` of the log, in seq order, each item once', () => {
    const red = [place('a', 1), place('c', 4), place('d', 6)];
    const blue = [place('b', 2), place('c', 4), place('e', 7, false)];
    expect(mergePlacements([red, blue], 10).map((p) => [p.itemId, p.seq])).to.deep.equal([
      ['a', 1],
      ['b', 2],
      ['c', 4],
      ['d', 6],
      ['e', 7],
    ]);
    expect(mergePlacements([red, blue], 3).map((p) => p.itemId)).to.deep.equal(['a', 'b', 'c']);
  });

  it('answers a page of entries and removals, its checkpoint the last seq when more follow, the high water otherwise', () => {
    const entry = (itemId: string, seq: number): StoredEntry => {
      const { data: _data, ...rest } = item(itemId, seq, ['red']);
      return rest;
    };
    const entries = new Map([
      ['a', entry('a', 2)],
      ['c', entry('c', 5)],
    ]);
    const full = toScopedPage([place('a', 2), place('b', 3, false), place('c', 5)], entries, 2, 0, 9);
    expect(full.hasMore).to.equal(true);
    expect(full.checkpoint).to.equal(3);
    expect(full.entries).to.deep.equal([entries.get('a'), { itemId: 'b', removed: true, seq: 3, recordedAt: 't3' }]);

    const last = toScopedPage([place('c', 5)], entries, 2, 3, 9);
    expect(last).to.deep.equal({ entries: [entries.get('c')], hasMore: false, checkpoint: 9 });
    // An empty page never moves a reader back behind its cursor.
    expect(toScopedPage([], entries, 2, 12, 9).checkpoint).to.equal(12);
  });

  it('refuses a visible place whose item has no row (the two were not read in one snapshot)', () => {
    expect(() => toScopedPage([place('x', 1)], new Map(), 5, 0, 1)).to.throw(/x has a membership but no row/);
  });
});
