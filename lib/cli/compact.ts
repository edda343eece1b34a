import { openStore } from '../store/open.js';
import { newSqliteFile } from './store-file.js';
import { purgeExpired, purgeExpiredConflicts } from '../server/retention.js';

/** `halsync compact`: the options commander hands over. */
export interface CompactOptions {
  store: string;
  /** Milliseconds: tombstones recorded longer ago than this are purged. */
  retention: number;
  /** Milliseconds: conflict records decided longer ago than this are purged too; none: kept. */
  conflictRetention?: number;
  /** Collection names (`name=schema.json`, as `serve` takes them, is accepted too); none: every collection of the store. */
  collection: string[];
}

/** Purges expired tombstones once and prints how many went; returns the exit code. */
export async function runCompact(options: CompactOptions): Promise<number> {
  const now = new Date();
  let store;
  try {
    // Compacting a store that is not there would create an empty one, and report it purged.
    if (newSqliteFile(options.store) !== undefined) throw new Error('no such file');
    store = await openStore(options.store);
  } catch (error) {
    console.error(`halsync compact: cannot open store ${options.store}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  try {
    const names = options.collection.length > 0 ? options.collection.map((spec) => spec.split('=')[0]!) : await store.collections();
    console.log(summary(await purgeExpired(store, names, options.retention, now), 'tombstone', 'recorded', options.retention, now));
    if (options.conflictRetention !== undefined) {
      console.log(
        summary(await purgeExpiredConflicts(store, names, options.conflictRetention, now), 'conflict record', 'decided', options.conflictRetention, now),
      );
    }
    return 0;
  } catch (error) {
    console.error(`halsync compact: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await store.close();
  }
}

/** `purged 3 tombstones recorded before <time> (items 2, notes 1)`. */
function summary(counts: Map<string, number>, what: string, verb: string, retention: number, now: Date): string {
  const total = [...counts.values()].reduce((sum, n) => sum + n, 0);
  const before = new Date(now.getTime() - retention).toISOString();
  const each = [...counts].map(([name, n]) => `${name} ${n}`).join(', ') || 'no collections';
  return `purged ${total} ${what}${total === 1 ? '' : 's'} ${verb} before ${before} (${each})`;
}
