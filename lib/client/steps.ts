import type { ConflictRecord } from '../protocol/conflicts.js';
import type { SyncEntry, VersionWithData } from '../protocol/types.js';
import { sameVersion, versionWithData } from '../protocol/version.js';
import type { CheckpointPair } from './checkpoints.js';
import type { PreparedApply, Replica, ReplicaEntry } from './replica.js';
import type { SyncReport } from './report.js';

/**
 * The I/O of the four steps (DESIGN §3), each a function the engine (sync.ts) and the first
 * sync's strategy (first-sync.ts) share: read a log, fetch the data of versions a log listed,
 * apply a sync log to one side.
 */

/** Thrown inside an attempt when the data moved under it: the attempt starts again from Step 1. */
export class Restart extends Error {}

/** One side's log as read: each item once, at its latest change. */
export interface ReadLog {
  entries: Map<string, ReplicaEntry>;
  /** Where the next read of this side starts. */
  checkpoint: string;
  /** The saved checkpoint had expired: this is the whole log, read again from its start. */
  restarted: boolean;
  /** Items this side's log listed last as removals (a scoped node's log): out of this reader's view now. */
  removed?: ReadonlySet<string>;
}

/**
 * A log since `since` (null: the whole log). Memory holds one entry per item, whatever the
 * number of pages: a later page's entry supersedes an earlier one of the same item.
 */
export async function readLog(replica: Replica, since: string | null): Promise<ReadLog> {
  const entries = new Map<string, ReplicaEntry>();
  // An item's last word wins across pages: a removal after its entry takes it out, and back.
  const removed = new Set<string>();
  let checkpoint = since;
  let restarted = false;
  for await (const page of replica.changes(since)) {
    if (page.restarted) {
      entries.clear();
      removed.clear();
      restarted = true;
    }
    for (const entry of page.entries) {
      entries.delete(entry.itemId);
      entries.set(entry.itemId, entry);
      removed.delete(entry.itemId);
    }
    for (const itemId of page.removals ?? []) {
      entries.delete(itemId);
      removed.add(itemId);
    }
    checkpoint = page.checkpoint;
  }
  if (checkpoint === null) throw new Error(`${replica.description}: its log gave no checkpoint`);
  return removed.size === 0 ? { entries, checkpoint, restarted } : { entries, checkpoint, restarted, removed };
}

export interface ReadLogs {
  local: ReadLog;
  remote: ReadLog;
  /** Whole logs were compared (no saved pair, or a checkpoint expired). */
  fullResync: boolean;
  /**
   * In a full resync after the remote's checkpoint expired: the items the local side changed
   * since its own saved checkpoint (which still holds). Absent: every local item counts as changed.
   */
  localChanged?: ReadonlySet<string>;
}

/**
 * Step 1: both logs since the saved pair. A full resync compares whole logs: a log read again
 * from its start no longer says what changed since the last sync, so the other side's whole
 * log is read too. When it is the remote's checkpoint that expired, the local side's still says
 * what it changed since: that decides which local-only items are news (DESIGN §3).
 */
export async function readLogs(local: Replica, remote: Replica, saved: CheckpointPair | null, localLog?: ReadLog): Promise<ReadLogs> {
  let [l, r] = await Promise.all([localLog ?? readLog(local, saved?.local ?? null), readLog(remote, saved?.remote ?? null)]);
  let localChanged: ReadonlySet<string> | undefined;
  if (saved && r.restarted && !l.restarted) {
    localChanged = new Set(l.entries.keys());
    l = await readLog(local, null);
  }
  if (saved && l.restarted && !r.restarted) r = await readLog(remote, null);
  const logs: ReadLogs = { local: l, remote: r, fullResync: saved === null || l.restarted || r.restarted };
  if (localChanged) logs.localChanged = localChanged;
  return logs;
}

/**
 * The data of the versions a log listed: from the entries when they carry it (tombstones,
 * embedded data), else from the replica. A version that changed since the log was read
 * restarts the attempt: decisions are only made on what the logs showed.
 */
export async function fetchData(replica: Replica, entries: readonly ReplicaEntry[]): Promise<Map<string, VersionWithData>> {
  const found = new Map<string, VersionWithData>();
  const missing: ReplicaEntry[] = [];
  for (const entry of entries) {
    if (entry.deleted || entry.data !== undefined) found.set(entry.itemId, versionWithData(entry));
    else missing.push(entry);
  }
  if (missing.length === 0) return found;
  const fetched = await replica.data(missing);
  for (const entry of missing) {
    const current = fetched.get(entry.itemId);
    if (!current || !sameVersion(current, entry)) throw new Restart(`${replica.description}: item ${entry.itemId} changed since its log was read`);
    found.set(entry.itemId, versionWithData(entry, current.data));
  }
  return found;
}

/**
 * Applies a sync log to one side (nothing to apply and nothing to record: nothing sent) and
 * returns that side's new checkpoint; counts what moved. A refused precondition restarts the
 * attempt. `prepared`: the same entries made ready ahead (Replica.prepare), sent instead.
 */
export async function applyTo(
  replica: Replica,
  since: string,
  entries: SyncEntry[],
  report: SyncReport,
  counter: 'pushed' | 'pulled',
  conflicts: readonly ConflictRecord[] = [],
  prepared?: PreparedApply,
): Promise<string> {
  if (entries.length === 0 && conflicts.length === 0) {
    prepared?.discard();
    return since;
  }
  const outcome = prepared ? await prepared.apply(since, { conflicts }) : await replica.apply({ since, entries }, { conflicts });
  if (!outcome.ok) throw new Restart(`${replica.description} refused ${outcome.conflicts.length} entries: changed since read`);
  report[counter] += entries.length;
  report.deleted += entries.filter((e) => e.deleted).length;
  report.unrecorded += outcome.unrecorded ?? 0;
  return outcome.checkpoint;
}
