import { expect } from 'chai';
import { conflictId, type ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { restoreConflict } from '../../lib/store/conflicts.js';
import { ConflictRecordNotFound, InvalidData, InvalidRequest, ItemChanged } from '../../lib/store/errors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectRejection } from '../support/expect.js';
import { contents, newId, put, remove } from '../support/sync.js';

const T = '2030-01-01T00:00:00.000Z';
const NOW = new Date('2030-03-01T00:00:00.000Z');
const now = () => NOW;
const version = (data: Json) => ({ updatedAt: T, fingerprint: fingerprint(data), deleted: data === null, data });

/** A store where `remote` beat `local` on one item, as the sync recorded it. */
async function decided(local: Json, remote: Json, winner: ConflictRecord['winner'] = 'remote') {
  const store = new MemoryStore();
  const itemId = newId();
  const result = winner === 'local' ? local : remote;
  if (result === null) {
    await put(store, itemId, { before: 'deletion' }, T);
    await remove(store, itemId, T);
  } else await put(store, itemId, result, T);
  const body = {
    itemId,
    peer: 'http://peer.test/',
    rule: 'newer' as const,
    winner,
    local: version(local),
    remote: version(remote),
    result: { updatedAt: T, fingerprint: fingerprint(result), deleted: result === null },
  };
  const rec: ConflictRecord = { ...body, conflictId: conflictId('items', body), decidedAt: T };
  expect(await store.recordConflicts('items', [rec])).to.equal(1);
  return { store, itemId, rec };
}

describe('store/conflicts: restoreConflict', () => {
  it('writes the losing version as a new origin edit and marks the record restored, in one apply', async () => {
    const { store, itemId, rec } = await decided({ v: 'local' }, { v: 'remote' });
    const restored = await restoreConflict(store, 'items', rec.conflictId, { now });
    expect(restored.created).to.equal(false);
    expect(restored.item).to.deep.include({ itemId, data: { v: 'local' }, updatedAt: NOW.toISOString(), deleted: false });
    expect(restored.record.restored).to.deep.equal({ side: 'local', restoredAt: NOW.toISOString() });
    expect((await contents(store))[itemId]).to.deep.equal({ v: 'local' });
  });

  it('refuses to overwrite an edit made since the decision, or to restore twice, unless forced', async () => {
    const { store, itemId, rec } = await decided({ v: 'local' }, { v: 'remote' });
    await put(store, itemId, { v: 'edited later' });
    const refused = await expectRejection(restoreConflict(store, 'items', rec.conflictId, { now }), ItemChanged);
    expect(refused.current).to.deep.include({ fingerprint: fingerprint({ v: 'edited later' }) });
    expect((await contents(store))[itemId], 'nothing written').to.deep.equal({ v: 'edited later' });
    await restoreConflict(store, 'items', rec.conflictId, { now, force: true });
    expect((await contents(store))[itemId]).to.deep.equal({ v: 'local' });
    await expectRejection(restoreConflict(store, 'items', rec.conflictId, { now }), ItemChanged, { message: /already restored/ });
  });

  it('restores a lost deletion, and brings back an item whose winning deletion was purged', async () => {
    const deletion = await decided(null, { v: 'remote' });
    await restoreConflict(deletion.store, 'items', deletion.rec.conflictId, { now });
    expect((await contents(deletion.store))[deletion.itemId]).to.equal(null);

    const purged = await decided({ v: 'local' }, null);
    await purged.store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
    expect(await purged.store.getItem('items', purged.itemId)).to.equal(null);
    const restored = await restoreConflict(purged.store, 'items', purged.rec.conflictId, { now });
    expect(restored.created).to.equal(true);
    expect((await contents(purged.store))[purged.itemId]).to.deep.equal({ v: 'local' });
  });

  it('after a merge asks which side, and refuses the side that won', async () => {
    const merged = await decided({ v: 'local' }, { v: 'remote' }, 'merged');
    await expectRejection(restoreConflict(merged.store, 'items', merged.rec.conflictId), InvalidRequest, { message: /name the side/ });
    const won = await decided({ v: 'local' }, { v: 'remote' });
    await expectRejection(restoreConflict(won.store, 'items', won.rec.conflictId, { side: 'remote' }), InvalidRequest, { message: /the remote version won/ });
  });

  it("refuses data the collection's present schema no longer takes, writing nothing; 404 for an unknown record", async () => {
    const { store, itemId, rec } = await decided({ v: 'local' }, { v: 'remote' });
    const check = () => [{ pointer: '/v', detail: 'must be integer' }];
    const invalid = await expectRejection(restoreConflict(store, 'items', rec.conflictId, { check }), InvalidData);
    expect(invalid.errors).to.deep.equal(check());
    expect((await contents(store))[itemId]).to.deep.equal({ v: 'remote' });
    await expectRejection(restoreConflict(store, 'items', newId()), ConflictRecordNotFound);
    await expectRejection(restoreConflict(store, 'notes', rec.conflictId), ConflictRecordNotFound);
  });
});
