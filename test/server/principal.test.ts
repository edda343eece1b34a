import { expect } from 'chai';
import type { Context } from 'koa';
import { ANONYMOUS, grantCovers, principalOf, readGrant, seesCollection, writeGrant, type Principal } from '../../lib/server/principal.js';

const admin: Principal = { id: 'admin', kind: 'all', grants: {} };
const reader: Principal = { id: 'reader', kind: 'read-all', grants: {} };
const scoped: Principal = { id: 'ann', kind: 'scoped', grants: { items: { read: ['team-a', 'public'], write: ['team-a'] } } };

describe('server/principal: what a request may see and change', () => {
  it('is the principal auth put on the request, else the anonymous one (everything)', () => {
    expect(principalOf({ state: { principal: scoped } } as unknown as Context)).to.equal(scoped);
    expect(principalOf({ state: {} } as unknown as Context)).to.equal(ANONYMOUS);
    expect(ANONYMOUS.kind).to.equal('all');
    expect(Object.isFrozen(ANONYMOUS)).to.equal(true);
  });

  it('shows a scoped principal only the collections it has a grant for', () => {
    expect(seesCollection(admin, 'anything')).to.equal(true);
    expect(seesCollection(reader, 'anything')).to.equal(true);
    expect(seesCollection(scoped, 'items')).to.equal(true);
    expect(seesCollection(scoped, 'notes')).to.equal(false);
    expect(seesCollection(scoped, 'toString'), 'no inherited property counts as a grant').to.equal(false);
  });

  it('scopes reads only for a scoped principal, to nothing without a grant', () => {
    expect(readGrant(admin, 'items')).to.equal(undefined);
    expect(readGrant(reader, 'items')).to.equal(undefined);
    expect(readGrant(scoped, 'items')).to.deep.equal(['team-a', 'public']);
    expect(readGrant(scoped, 'notes')).to.deep.equal([]);
  });

  it('lets all write everything, read-all nothing, scoped its write channels', () => {
    expect(writeGrant(admin, 'items')).to.equal(undefined);
    expect(writeGrant(reader, 'items')).to.deep.equal([]);
    expect(writeGrant(scoped, 'items')).to.deep.equal(['team-a']);
    expect(writeGrant(scoped, 'notes')).to.deep.equal([]);
  });

  it('covers channels when the grant is unlimited, has *, or has every one; an item without channels needs *', () => {
    expect(grantCovers(undefined, [])).to.equal(true);
    expect(grantCovers(['*'], ['x', 'y'])).to.equal(true);
    expect(grantCovers(['*'], [])).to.equal(true);
    expect(grantCovers(['a', 'b'], ['a', 'b'])).to.equal(true);
    expect(grantCovers(['a'], ['a', 'b'])).to.equal(false);
    expect(grantCovers(['a'], [])).to.equal(false);
    expect(grantCovers([], ['a'])).to.equal(false);
  });
});
