import { expect } from 'chai';
import { decide, resolved, type Policy } from '../../lib/client/decide.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Item } from '../../lib/protocol/types.js';

const id = '00000000-0000-4000-8000-000000000001';
const at = (ms: number) => new Date(Date.UTC(2026, 0, 1) + ms).toISOString();
const item = (data: Item['data'], ms: number, deleted = false): Item => ({
  itemId: id,
  updatedAt: at(ms),
  fingerprint: fingerprint(deleted ? null : data),
  deleted,
  data: deleted ? null : data,
});
const policy: Policy = { prefer: 'remote', skewMs: 1000, resolves: false };

describe('client/decide', () => {
  it('does nothing for equal versions, even with different timestamps', () => {
    expect(decide(item({ a: 1 }, 0), item({ a: 1 }, 99_000), policy)).to.deep.equal({ winner: 'none', rule: 'equal' });
  });

  it('copies what only one side lists, whatever its timestamp', () => {
    expect(decide(item({ a: 1 }, -99_000), undefined, policy)).to.deep.equal({ winner: 'local', rule: 'one-side' });
    expect(decide(undefined, item({ a: 1 }, -99_000), policy)).to.deep.equal({ winner: 'remote', rule: 'one-side' });
  });

  it('lets the newer updatedAt win outside the skew window, tombstones included', () => {
    expect(decide(item({ a: 1 }, 5000), item({ a: 2 }, 0), policy)).to.deep.equal({ winner: 'local', rule: 'newer' });
    expect(decide(item({ a: 1 }, 0), item(null, 5000, true), policy)).to.deep.equal({ winner: 'remote', rule: 'newer' });
  });

  it('uses the preferred side inside the window, or asks the resolver', () => {
    expect(decide(item({ a: 1 }, 500), item({ a: 2 }, 0), { ...policy, prefer: 'remote' })).to.deep.equal({ winner: 'remote', rule: 'prefer-remote' });
    expect(decide(item({ a: 1 }, 0), item({ a: 2 }, 500), { ...policy, prefer: 'local' })).to.deep.equal({ winner: 'local', rule: 'prefer-local' });
    expect(decide(item({ a: 1 }, 0), item({ a: 2 }, 500), { ...policy, resolves: true })).to.deep.equal({ winner: 'ask', rule: 'resolve' });
  });

  it('turns a resolver answer into a side, or a merged version no older than both', () => {
    const l = item({ a: 1 }, 0);
    const r = item({ b: 2 }, 200);
    expect(resolved(l, r, { data: { b: 2 } }, new Date(0)).winner).to.equal('remote');
    expect(resolved(l, r, { data: { a: 1 } }, new Date(0)).winner).to.equal('local');
    const merged = resolved(l, r, { data: { a: 1, b: 2 } }, new Date(0));
    expect(merged.winner).to.equal('merged');
    expect(merged.version.updatedAt).to.equal(r.updatedAt);
    expect(merged.version.fingerprint).to.equal(fingerprint({ a: 1, b: 2 }));
  });
});
