import { MemoryStore } from './memory.js';
import type { Store } from './store.js';

/** The store a node uses when none is named. */
export const DEFAULT_STORE_URL = 'sqlite:./halsync.db';

/**
 * Opens a store from its URL: `memory:`, `sqlite:<path>` (relative to the working directory),
 * `postgres://…` or `postgresql://…` (with an optional `schema` search parameter), and in a
 * browser `idb:<name>` (IndexedDB). A store that cannot be opened or reached is a
 * StoreUnavailable here, not a failure at first use.
 *
 * Each kind is loaded on demand, so a memory node needs neither driver. The Node-only ones are
 * imported through a specifier a bundler cannot follow, so a browser bundle of this module
 * holds neither better-sqlite3, pg nor node:path.
 */
export async function openStore(url: string): Promise<Store> {
  if (url === 'memory:' || url === 'memory') return new MemoryStore();
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length);
    if (path === '') throw new Error('sqlite: needs a path, e.g. sqlite:./halsync.db');
    const [{ SqliteStore }, { resolve }] = await Promise.all([
      nodeOnly<typeof import('./sqlite.js')>('./sqlite.js'),
      nodeOnly<typeof import('node:path')>('node:path'),
    ]);
    return SqliteStore.open(path === ':memory:' ? path : resolve(path));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { PostgresStore } = await nodeOnly<typeof import('./postgres.js')>('./postgres.js');
    return PostgresStore.open(url);
  }
  if (url.startsWith('idb:')) {
    const name = url.slice('idb:'.length);
    if (name === '') throw new Error('idb: needs a name, e.g. idb:notes');
    if (typeof indexedDB === 'undefined') throw new Error(`${url}: IndexedDB is not available here (idb: is for browsers)`);
    const { IdbStore } = await import('./idb.js');
    return IdbStore.open(name);
  }
  throw new Error(`unsupported store URL "${url}" (memory:, sqlite:<path>, postgres://…, idb:<name>)`);
}

/** import() of a module only Node can load, by a specifier that is not a literal (see openStore). */
function nodeOnly<T>(specifier: string): Promise<T> {
  const resolved = specifier.startsWith('./') ? new URL(specifier, import.meta.url).href : specifier;
  return import(resolved) as Promise<T>;
}
