import type { ConflictRecord } from '../protocol/conflicts.js';
import type { Mismatch, LogEntry, SyncEntry, SyncLog, VersionWithData } from '../protocol/types.js';
import type { HttpClient } from './http.js';

/**
 * A replica is anything the sync engine can reconcile: it lists its changes since a
 * checkpoint, gives items' data, and applies a sync log atomically with `base` preconditions.
 * A local store (StoreReplica) and a remote HAL node (NodeReplica) are the two kinds, so one
 * engine syncs store↔node and node↔node.
 */

/** A log entry as a replica lists it: the version, its data when it came embedded, where to fetch it. */
export interface ReplicaEntry extends LogEntry {
  itemURI?: string;
}

export interface LogPage {
  entries: ReplicaEntry[];
  /** The checkpoint after this page: pass it back to read exactly the changes after it. */
  checkpoint: string;
  /** The checkpoint had expired, so the log is being read again from its start: forget earlier pages. */
  restarted: boolean;
  /**
   * Removal entries of a scoped log (DESIGN §2, §7): items that left what this reader may see
   * after the cursor. The reader drops its copies; a removal is not a deletion and is never
   * synced as one. Absent: none.
   */
  removals?: string[];
  /** The replica said another page follows (a node's `next` link, a store's hasMore). Absent: it did not say. */
  more?: boolean;
}

export interface ReplicaApplyOptions {
  /**
   * The conflicts this sync decided, to record on this replica (the side that ran the sync):
   * a store keeps them in the apply's own transaction; a node is sent them once the apply
   * succeeded. With no entries, only the records are kept.
   */
  conflicts?: readonly ConflictRecord[];
}

export type ApplyResult =
  | {
      ok: true;
      applied: number;
      checkpoint: string;
      /** Conflict records given with the apply that the replica could not keep (see ReplicaApplyOptions). */
      unrecorded?: number;
    }
  | { ok: false; conflicts: Mismatch[] };

/** A sync log made ready ahead (Replica.prepare): applied once, with the `since` known by then, or discarded. */
export interface PreparedApply {
  /** As Replica.apply with `{ since, entries }`. */
  apply(since: string, options?: ReplicaApplyOptions): Promise<ApplyResult>;
  /** Lets go of what was made ready (an attempt that restarts before applying it). */
  discard(): void;
}

export interface Replica {
  /** The collection this replica holds. */
  readonly collection: string;
  /** Names the replica in messages and checkpoint keys (a root URL and a collection, or a store). */
  readonly description: string;
  /** Names this replica as a peer in conflict records: a node's root URL, or `store:<id>`. */
  readonly peer: string;
  /** The HTTP client a remote replica talks through, so a report can count its traffic. */
  readonly http?: HttpClient;

  /** The changes after `since` (null: the whole log), oldest first, page by page. */
  changes(since: string | null): AsyncIterable<LogPage>;
  /** The present version and data of these items; entries that carry data are answered without a request. */
  data(entries: readonly ReplicaEntry[]): Promise<Map<string, VersionWithData>>;
  /** Applies every entry of the log, or none when a precondition fails. */
  apply(log: SyncLog, options?: ReplicaApplyOptions): Promise<ApplyResult>;
  /**
   * Optional: readies the sync log of these entries before its `since` is known, so that work
   * overlaps the apply before it (a first sync stages page n + 1 while page n is applied). A node
   * serialises and compresses the log now; `apply(since)` then sends it. Without it, `apply` does.
   */
  prepare?(entries: readonly SyncEntry[]): PreparedApply;
  /**
   * Drops this replica's copies of these items as removals (no tombstone, nothing to sync),
   * those it has not changed after `since`; returns how many went. A full resync uses it for
   * items the other side no longer lists (DESIGN §3). Optional: a replica without it (a node)
   * keeps them, and the report counts them as stale.
   */
  drop?(itemIds: readonly string[], since: string): Promise<number>;
  /**
   * Waits until this replica records a change after `since`, for at most `seconds`, and says
   * whether it did (true as well when `since` no longer names a place in its log: a sync must
   * run). Resolves false at once when the signal aborts. Optional: a live sync polls a replica
   * without it once per wait period.
   */
  waitForChange?(since: string, seconds: number, signal: AbortSignal): Promise<boolean>;
}
