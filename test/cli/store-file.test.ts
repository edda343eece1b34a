import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newSqliteFile, removeSqliteFile } from '../../lib/cli/store-file.js';

describe('cli/store-file: no empty halsync.db after a failed command', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'halsync-store-file-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('notes the SQLite file a store URL names only when it does not exist yet', async () => {
    const file = join(dir, 'new.db');
    expect(newSqliteFile(`sqlite:${file}`)).to.equal(file);
    await writeFile(file, '');
    expect(newSqliteFile(`sqlite:${file}`), 'an existing replica is never noted').to.equal(undefined);
    for (const url of ['memory:', 'sqlite:', 'sqlite::memory:', 'postgres://127.0.0.1/x']) expect(newSqliteFile(url), url).to.equal(undefined);
  });

  it('removes the file and its WAL, shared-memory and journal companions, and nothing when none was noted', async () => {
    const file = join(dir, 'x.db');
    const others = join(dir, 'other.db');
    for (const path of [file, `${file}-wal`, `${file}-shm`, `${file}-journal`, others]) await writeFile(path, '');
    await removeSqliteFile(file);
    for (const suffix of ['', '-wal', '-shm', '-journal']) expect(existsSync(file + suffix), suffix).to.equal(false);
    expect(existsSync(others)).to.equal(true);
    await removeSqliteFile(undefined);
    await removeSqliteFile(join(dir, 'never-made.db'));
    expect(existsSync(others)).to.equal(true);
  });
});
