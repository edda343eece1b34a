import { expect } from 'chai';
import { ConflictRecordNotFound, InvalidData, InvalidRequest, ItemChanged, StoreError, StoreUnavailable } from '../../lib/store/errors.js';

describe('store/errors', () => {
  it('StoreUnavailable names the store and the cause, and keeps the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = new StoreUnavailable('postgres://127.0.0.1:1/db', cause);
    expect(error).to.be.instanceOf(StoreError).and.instanceOf(Error);
    expect(error.name).to.equal('StoreUnavailable');
    expect(error.message).to.equal('store postgres://127.0.0.1:1/db is unavailable: connect ECONNREFUSED 127.0.0.1:1');
    expect(error.store).to.equal('postgres://127.0.0.1:1/db');
    expect(error.cause).to.equal(cause);
    expect(new StoreUnavailable('sqlite:x.db', 'locked').message).to.equal('store sqlite:x.db is unavailable: locked');
  });

  it('each store error carries its class name and what the server needs to answer it', () => {
    const missing = new ConflictRecordNotFound('items', 'c-1');
    expect([missing.name, missing.collection, missing.conflictId, missing.message]).to.deep.equal([
      'ConflictRecordNotFound',
      'items',
      'c-1',
      'collection "items" has no conflict record c-1',
    ]);
    const errors = [{ pointer: '/side', detail: 'required after a merge' }];
    expect(new InvalidRequest('name the side', errors)).to.deep.include({ name: 'InvalidRequest', errors });
    expect(new InvalidData('bad data', errors)).to.deep.include({ name: 'InvalidData', errors });
    const current = { updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: 'f'.repeat(40), deleted: false };
    expect(new ItemChanged('edited', current)).to.deep.include({ name: 'ItemChanged', current });
    expect(new ItemChanged('gone', null).current).to.equal(null);
  });
});
