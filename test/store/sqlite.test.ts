import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { canonicalJson, fingerprint } from '../../lib/protocol/fingerprint.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { storeConformance } from './conformance.js';

storeConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'));
  const path = join(dir, 'store.db');
  return {
    store: SqliteStore.open(path),
    openAgain: async () => SqliteStore.open(path),
    dispose: () => rm(dir, { recursive: true, force: true }),
    keepsJsonText: true,
  };
});

describe('SQLite schema migration', function () {
  const itemId = '00000000-0000-4000-8000-0000000000b1';
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  /** A file holding one item, taken back to what halsync of schema `version` left behind. */
  async function oldFile(version: 1 | 2): Promise<{ path: string; id: string }> {
    const path = join(dir, 'old.db');
    const store = SqliteStore.open(path);
    await store.apply('items', [
      { itemId, data: { old: true }, fingerprint: fingerprint({ old: true }), deleted: false, updatedAt: null, precondition: { kind: 'none' } },
    ]);
    const { id } = store;
    await store.close();
    const db = new Database(path);
    // Version 3 added the channels; version 2 the conflict audit.
    db.exec('DROP TABLE memberships; ALTER TABLE items DROP COLUMN channels');
    if (version === 1) db.exec('DROP TABLE conflicts');
    db.pragma(`user_version = ${version}`);
    db.close();
    return { path, id };
  }

  function userVersion(path: string): number {
    const check = new Database(path, { readonly: true });
    try {
      return check.pragma('user_version', { simple: true }) as number;
    } finally {
      check.close();
    }
  }

  it('opens a version 1 file (before the conflict audit), keeping its items and adding the audit', async function () {
    const { path, id } = await oldFile(1);
    const again = SqliteStore.open(path);
    try {
      expect(again.id).to.equal(id);
      expect((await again.getItem('items', itemId))!.data).to.deep.equal({ old: true });
      expect(await again.conflicts('items', { limit: 5 })).to.deep.equal({ records: [], hasMore: false });
    } finally {
      await again.close();
    }
    expect(userVersion(path)).to.equal(3);
  });

  it('opens a version 2 file (before channels): its items have none, and scoped logs work at once', async function () {
    const { path } = await oldFile(2);
    const again = SqliteStore.open(path);
    try {
      expect((await again.getItem('items', itemId))!.channels).to.deep.equal([]);
      expect((await again.changes('items', { limit: 5, withData: false, channels: ['a'] })).entries).to.deep.equal([]);
      expect((await again.changes('items', { limit: 5, withData: false, channels: ['*'] })).entries.map((e) => e.itemId)).to.deep.equal([itemId]);
      const moved = {
        itemId,
        data: { now: 'a' },
        fingerprint: fingerprint({ now: 'a' }),
        deleted: false,
        updatedAt: null,
        precondition: { kind: 'none' as const },
        channels: ['a'],
      };
      await again.apply('items', [moved]);
      expect((await again.changes('items', { limit: 5, withData: false, channels: ['a'] })).entries.map((e) => e.itemId)).to.deep.equal([itemId]);
    } finally {
      await again.close();
    }
    expect(userVersion(path)).to.equal(3);
  });
});

describe('SQLite items: data kept as canonical JSON text', function () {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('stores data written with unsorted keys as its canonical text, and reads it back equal', async function () {
    const path = join(dir, 'store.db');
    const store = SqliteStore.open(path);
    const itemId = '00000000-0000-4000-8000-0000000000c1';
    const data = { title: 'x', amount: 12.5, tags: ['b', 'a'], nested: { z: true, '10': 1, '9': 2 } };
    try {
      await store.apply('items', [{ itemId, data, fingerprint: fingerprint(data), deleted: false, updatedAt: null, precondition: { kind: 'none' } }]);
      const read = new Database(path, { readonly: true });
      try {
        const row = read.prepare('SELECT data FROM items WHERE collection = ? AND item_id = ?').get('items', itemId) as { data: string };
        expect(row.data).to.equal('{"amount":12.5,"nested":{"10":1,"9":2,"z":true},"tags":["b","a"],"title":"x"}');
        expect(row.data).to.equal(canonicalJson(data));
      } finally {
        read.close();
      }
      const item = await store.getItem('items', itemId);
      expect(item!.data).to.deep.equal(data);
      expect(fingerprint(item!.data)).to.equal(item!.fingerprint);
    } finally {
      await store.close();
    }
  });
});
