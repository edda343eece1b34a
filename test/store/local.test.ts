import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { localItemsConformance } from './local-conformance.js';

// The same suite runs on IndexedDB in Chromium (test/store/idb.test.ts).
localItemsConformance('memory', async () => ({ store: new MemoryStore(), dispose: async () => {} }));

localItemsConformance('sqlite', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'halsync-local-'));
  return { store: SqliteStore.open(join(dir, 'store.db')), dispose: () => rm(dir, { recursive: true, force: true }) };
});
