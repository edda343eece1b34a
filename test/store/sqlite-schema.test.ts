import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrate, SCHEMA_VERSION } from '../../lib/store/sqlite-schema.js';

/** The SQLite tables and their migrations (lib/store/sqlite-schema.ts) on a raw file; old files a store opens: test/store/sqlite.test.ts. */
describe('store/sqlite-schema', () => {
  let dir: string;
  let db: Database.Database;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'halsync-sqlite-schema-'));
    db = new Database(join(dir, 'store.db'));
  });
  afterEach(async () => {
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  const tables = () => db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
  const node = () => db.prepare('SELECT store_id, seq FROM node').all() as Array<{ store_id: string; seq: number }>;

  it('creates every table in a new file, with one node row of a fresh store id, and marks its version', () => {
    migrate(db);
    expect(tables()).to.include.members(['node', 'items', 'horizons', 'checkpoints', 'conflicts', 'memberships']);
    expect(node()).to.have.length(1);
    expect(node()[0]!.store_id).to.match(/^[0-9a-f-]{36}$/);
    expect(node()[0]!.seq).to.equal(0);
    expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
  });

  it('leaves a current file as it is when run again (same store id, nothing recreated)', () => {
    migrate(db);
    const { store_id } = node()[0]!;
    migrate(db);
    expect(node()).to.deep.equal([{ store_id, seq: 0 }]);
  });

  it('brings a version 1 file up: adds the conflicts, channels and memberships, keeps the node', () => {
    migrate(db);
    const { store_id } = node()[0]!;
    db.exec('DROP TABLE memberships; DROP TABLE conflicts; ALTER TABLE items DROP COLUMN channels;');
    db.pragma('user_version = 1');
    migrate(db);
    expect(tables()).to.include.members(['conflicts', 'memberships']);
    const columns = db.prepare("SELECT name FROM pragma_table_info('items')").pluck().all();
    expect(columns).to.include('channels');
    expect(node()).to.deep.equal([{ store_id, seq: 0 }]);
    expect(db.pragma('user_version', { simple: true })).to.equal(SCHEMA_VERSION);
  });

  it('refuses a file of a newer halsync and changes nothing in it', () => {
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).to.throw(`schema version ${SCHEMA_VERSION + 1} is newer than this halsync understands (${SCHEMA_VERSION})`);
    expect(tables()).to.deep.equal([]);
  });
});
