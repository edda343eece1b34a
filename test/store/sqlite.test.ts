import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { storeConformance } from './conformance.js';

storeConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'));
  const path = join(dir, 'store.db');
  return {
    store: SqliteStore.open(path),
    openAgain: async () => SqliteStore.open(path),
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
});

describe('SQLite schema migration', function () {
  it('opens a version 1 file (before the conflict audit), keeping its items and adding the audit', async function () {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'));
    try {
      const path = join(dir, 'old.db');
      const store = SqliteStore.open(path);
      const itemId = '00000000-0000-4000-8000-0000000000b1';
      await store.apply('items', [
        { itemId, data: { old: true }, fingerprint: fingerprint({ old: true }), deleted: false, updatedAt: null, precondition: { kind: 'none' } },
      ]);
      const { id } = store;
      await store.close();
      // What a version 1 halsync left behind: no conflicts table, user_version 1.
      const db = new Database(path);
      db.exec('DROP TABLE conflicts');
      db.pragma('user_version = 1');
      db.close();

      const again = SqliteStore.open(path);
      try {
        expect(again.id).to.equal(id);
        expect((await again.getItem('items', itemId))!.data).to.deep.equal({ old: true });
        expect(await again.conflicts('items', { limit: 5 })).to.deep.equal({ records: [], hasMore: false });
      } finally {
        await again.close();
      }
      const check = new Database(path, { readonly: true });
      expect(check.pragma('user_version', { simple: true })).to.equal(2);
      check.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
