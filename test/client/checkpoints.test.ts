import { expect } from 'chai';
import { checkpointKey, resumeStoreCursor, storeCheckpoints, storeCursor } from '../../lib/client/checkpoints.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { newId, put, remove } from '../support/sync.js';

describe('client/checkpoints', () => {
  it('keeps a pair in the local store by key, and reads nothing from a broken value', async () => {
    const store = new MemoryStore();
    const key = checkpointKey('http://n.test/', 'items');
    const checkpoints = storeCheckpoints(store, key);
    expect(await checkpoints.load()).to.equal(null);
    await checkpoints.save({ local: 'l', remote: 'r' });
    expect(await checkpoints.load()).to.deep.equal({ local: 'l', remote: 'r' });
    await store.setCheckpoint(key, '{not json');
    expect(await checkpoints.load()).to.equal(null);
  });

  it('resumes a store cursor it issued, and expires one of another store, a malformed one, or one under the horizon', async () => {
    const store = new MemoryStore();
    expect(await resumeStoreCursor(store, 'items', null)).to.deep.equal({ seq: 0, expired: false });
    expect(await resumeStoreCursor(store, 'items', storeCursor(store, 3))).to.deep.equal({ seq: 3, expired: false });
    expect(await resumeStoreCursor(store, 'items', storeCursor(new MemoryStore(), 3))).to.deep.equal({ seq: 0, expired: true });
    expect(await resumeStoreCursor(store, 'items', '!!')).to.deep.equal({ seq: 0, expired: true });
    const id = newId();
    await put(store, id, { a: 1 });
    await remove(store, id);
    await store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
    expect(await resumeStoreCursor(store, 'items', storeCursor(store, 1))).to.deep.equal({ seq: 0, expired: true });
  });
});
