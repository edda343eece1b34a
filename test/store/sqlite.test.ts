import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
