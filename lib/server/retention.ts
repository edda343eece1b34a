import type { Store } from '../store/store.js';

/**
 * Tombstone retention: tombstones this node recorded longer ago than the retention are purged,
 * which raises each collection's horizon (older cursors then answer 410 cursor-expired). Audit
 * retention, on its own duration: conflict records decided longer ago are purged. Used by the
 * server's periodic task and by `halsync compact`.
 */

/** How often a node purges when only a retention is given: a tenth of it, within [1 s, 1 h]. */
export function defaultPurgeInterval(retentionMs: number): number {
  return Math.min(Math.max(Math.floor(retentionMs / 10), 1000), 3_600_000);
}

/** Purges every named collection once; returns how many tombstones each lost. */
export async function purgeExpired(store: Store, collections: readonly string[], retentionMs: number, now: Date = new Date()): Promise<Map<string, number>> {
  return purgeEach(collections, retentionMs, now, (name, before) => store.purgeTombstones(name, before));
}

/**
 * Audit retention: purges the conflict records of every named collection decided longer ago
 * than the retention, once; returns how many each lost. Their URLs then answer 404.
 */
export async function purgeExpiredConflicts(
  store: Store,
  collections: readonly string[],
  retentionMs: number,
  now: Date = new Date(),
): Promise<Map<string, number>> {
  return purgeEach(collections, retentionMs, now, (name, before) => store.purgeConflicts(name, before));
}

async function purgeEach(
  collections: readonly string[],
  retentionMs: number,
  now: Date,
  purge: (name: string, before: string) => Promise<number>,
): Promise<Map<string, number>> {
  const before = new Date(now.getTime() - retentionMs).toISOString();
  const counts = new Map<string, number>();
  // One after the other: each purge takes the store's write lock.
  for (const name of collections) counts.set(name, await purge(name, before));
  return counts;
}

export interface PurgeSchedule {
  store: Store;
  collections: readonly string[];
  /** Tombstones recorded longer ago than this are purged; none: kept. */
  tombstoneRetentionMs?: number;
  /** Conflict records decided longer ago than this are purged; none: kept. */
  conflictRetentionMs?: number;
  intervalMs: number;
  clock: () => Date;
  /** Stops the schedule. */
  signal: AbortSignal;
  onError: (error: unknown) => void;
}

/** Purges every `intervalMs` until the signal aborts; the timer keeps no process alive. */
export function schedulePurge(schedule: PurgeSchedule): void {
  if (schedule.signal.aborted) return;
  let running = false;
  const timer = setInterval(() => {
    // A purge slower than the interval is not stacked on itself.
    if (running) return;
    running = true;
    purgeOnce(schedule)
      .catch(schedule.onError)
      .finally(() => (running = false));
  }, schedule.intervalMs);
  timer.unref();
  schedule.signal.addEventListener('abort', () => clearInterval(timer), { once: true });
}

async function purgeOnce(schedule: PurgeSchedule): Promise<void> {
  const { store, collections, tombstoneRetentionMs: tombstones, conflictRetentionMs: conflicts } = schedule;
  const now = schedule.clock();
  if (tombstones !== undefined) await purgeExpired(store, collections, tombstones, now);
  if (conflicts !== undefined) await purgeExpiredConflicts(store, collections, conflicts, now);
}
