import { resolve } from 'node:path';
import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/** The store a node uses when none is named. */
export const DEFAULT_STORE_URL = 'sqlite:./halsync.db';

/**
 * Opens a store from its URL: `memory:`, `sqlite:<path>` (relative to the working directory),
 * `postgres://…` or `postgresql://…` (with an optional `schema` search parameter).
 * SQLite and PostgreSQL are loaded on demand so a memory node needs neither driver. A store
 * that cannot be opened or reached is a StoreUnavailable here, not a failure at first use.
 */
export async function openStore(url: string): Promise<Store> {
  if (url === 'memory:' || url === 'memory') return new MemoryStore();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new Error('sqlite: needs a path, e.g. sqlite:./halsync.db');
    const { SqliteStore } = await import('./sqlite.js');
    return SqliteStore.open(path === ':memory:' ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await import('./postgres.js');
    return PostgresStore.open(url);
  }
  throw new Error(`unsupported store URL "${url}" (memory:, sqlite:<path>, postgres://…)`);
}
