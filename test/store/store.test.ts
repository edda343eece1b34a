import { expect } from 'chai';
import { HalsyncError } from '../../lib/protocol/problems.js';
import { StoreUnavailable } from '../../lib/store/store.js';

describe('store/store: StoreUnavailable', () => {
  it('is a 503 store-unavailable naming the store and the cause, and keeps the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const error = new StoreUnavailable('postgres://127.0.0.1:1/db', cause);
    expect(error).to.be.instanceOf(HalsyncError);
    expect([error.status, error.type, error.name]).to.deep.equal([503, 'store-unavailable', 'StoreUnavailable']);
    expect(error.message).to.equal('store postgres://127.0.0.1:1/db is unavailable: connect ECONNREFUSED 127.0.0.1:1');
    expect(error.store).to.equal('postgres://127.0.0.1:1/db');
    expect(error.cause).to.equal(cause);
    expect(new StoreUnavailable('sqlite:x.db', 'locked').message).to.equal('store sqlite:x.db is unavailable: locked');
  });
});
