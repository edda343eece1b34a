import { openStore } from '../store/open.js';
import { purgeExpired } from './retention.js';

/** `halsync compact`: the options commander hands over. */
export interface CompactOptions {
  store: string;
  /** Milliseconds: tombstones recorded longer ago than this are purged. */
  retention: number;
  /** Collection names (`name=schema.json`, as `serve` takes them, is accepted too); none: every collection of the store. */
  collection: string[];
}

/** Purges expired tombstones once and prints how many went; returns the exit code. */
export async function runCompact(options: CompactOptions): Promise<number> {
  const now = new Date();
  let store;
  try {
    store = await openStore(options.store);
  } catch (error) {
    console.error(`halsync compact: cannot open store ${options.store}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const names = options.collection.length > 0 ? options.collection.map((spec) => spec.split('=')[0]!) : await store.collections();
    const counts = await purgeExpired(store, names, options.retention, now);
    const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
    const before = new Date(now.getTime() - options.retention).toISOString();
    const each = [...counts].map(([name, n]) => `${name} ${n}`).join(', ') || 'no collections';
    console.log(`purged ${total} tombstone${total === 1 ? '' : 's'} recorded before ${before} (${each})`);
    return 0;
  } catch (error) {
    console.error(`halsync compact: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
  }
}
