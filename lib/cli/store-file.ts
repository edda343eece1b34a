import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * A command that fails (a node that is down, a port taken) must not leave an empty
 * `./halsync.db` behind to be mistaken for a replica: the SQLite file a store URL names, when
 * it does not exist yet, is noted before the store opens and removed if the command then fails.
 */
export function newSqliteFile(storeUrl: string): string | undefined {
  if (!storeUrl.startsWith('sqlite:')) return undefined;
  const path = storeUrl.slice('sqlite:'.length);
  if (path === '' || path === ':memory:') return undefined;
  const file = resolve(path);
  return existsSync(file) ? undefined : file;
}

/** Removes the file and SQLite's companions (WAL, shared memory, rollback journal). */
export async function removeSqliteFile(file: string | undefined): Promise<void> {
  if (file === undefined) return;
  await Promise.all(['', '-wal', '-shm', '-journal'].map((suffix) => rm(file + suffix, { force: true })));
}
