import type { ConflictRecord, Side, StoredConflict } from '../protocol/conflicts.js';
import type { Json, VersionWithData } from '../protocol/types.js';

/**
 * The store interface. One node keeps all its collections in one store; every write is
 * recorded under a node-wide, monotonic sequence number (`seq`), and each collection's
 * transaction log is its items ordered by the seq of their latest change.
 *
 * Implementations: memory (lib/store/memory.ts), SQLite, PostgreSQL, IndexedDB (lib/store/idb.ts,
 * in a browser). The conformance suite in test/store/ runs unchanged against each.
 */

// The store's errors, beside the interface that raises them.
export { StoreUnavailable } from './errors.js';

/** An item as a store holds it: its version, its content, and where it sits in the log. */
export interface StoredItem extends VersionWithData {
  itemId: string;
  /** The node's sequence number of the item's latest change. */
  seq: number;
  /** ISO time at which this node recorded that change (not the item's updatedAt). */
  recordedAt: string;
  /**
   * The version's channels (DESIGN §7), distinct and sorted; empty: none, so only a `*` read
   * grant shows it. A tombstone keeps the channels of the version it deleted.
   */
  channels: string[];
}

/** What a write must find before it may happen. Checked inside the store's transaction. */
export type Precondition =
  /** No check. */
  | { kind: 'none' }
  /** The item's present fingerprint must be this one; null: the item must not exist at all. */
  | { kind: 'base'; fingerprint: string | null }
  /** The item must exist (If-Match: *), tombstone or not. */
  | { kind: 'exists' }
  /** This node must have recorded no change to the item after `seq`. */
  | { kind: 'unchanged-since'; seq: number };

/** One write of an apply. */
export interface Write {
  itemId: string;
  deleted: boolean;
  /** null when deleted. */
  data: Json;
  /** Computed (and checked) by the caller from `data`. */
  fingerprint: string;
  /**
   * The version's time. null: this node is the item's origin; the store stamps it from its
   * clock, never lower than the item's previous updatedAt.
   */
  updatedAt: string | null;
  precondition: Precondition;
  /**
   * Check the precondition before the no-op rule. A direct write's If-Match / If-None-Match
   * must lose to a racer that got there first even when that racer wrote the same version;
   * the no-op-first rule is for sync logs, so a retried one that had committed answers 200.
   */
  preconditionFirst?: boolean;
  /**
   * The channels the item will have, computed by the caller from `data` (lib/protocol/channels.ts)
   * and stored as a set (distinct, sorted). Absent or empty: none. A deletion that gives none
   * keeps the channels of the version it deletes, so its tombstone reaches the same readers.
   */
  channels?: readonly string[];
  /**
   * `canonicalJson(data)`, when the caller has it already (a node computes it to check a sync
   * log's fingerprints): a store that keeps data as text (SQLite, PostgreSQL) writes it as it is
   * instead of serialising `data` once more. It must be exactly that text; stores that keep
   * values ignore it.
   */
  dataJson?: string;
}

export interface ApplyOptions {
  /**
   * The seq the writer read up to (a sync log's `since`). When the node recorded nothing
   * after it but this apply's own writes, the returned checkpoint is the seq right after
   * them; otherwise it is `since` itself.
   */
  since?: number;
  /** The clock used to stamp origin writes (tests pass their own). */
  now?: () => Date;
  /**
   * Conflict records to keep, in the same transaction, when (and only when) the apply succeeds;
   * one whose conflictId is already recorded is left as it is. Writes may be empty.
   */
  conflicts?: readonly ConflictRecord[];
  /** The apply restores this side of this conflict record: mark it restored (at the apply's time) in the same transaction. */
  restoring?: { conflictId: string; side: Side };
  /**
   * Whether the writer may make each write (DESIGN §7): asked inside the transaction, before
   * the no-op rule and every precondition, with the item as it stands and the channels the
   * write gives it, so a racing change of the item's channels cannot slip past it. Any false:
   * nothing is applied and the outcome names the refused writes (`forbidden`).
   */
  authorize?: (current: StoredItem | null, channels: readonly string[], write: Write) => boolean;
}

export interface ConflictsQuery {
  /** Only records with a position below this one (the page before it: newest first). */
  before?: number;
  /** At most this many records (≥ 1). */
  limit: number;
}

export interface ConflictsPage {
  /** Newest (highest position) first. */
  records: StoredConflict[];
  /** True when older records follow the last one. */
  hasMore: boolean;
}

/** A refused precondition, as the store found it. */
export interface PreconditionMismatch {
  itemId: string;
  /** The fingerprint the precondition expected (null: absent, or not a base precondition). */
  expected: string | null;
  /** The item's present fingerprint, or null when it does not exist. */
  actual: string | null;
  current: StoredItem | null;
}

export type ApplyOutcome =
  | {
      ok: true;
      /** Writes that changed something (a write whose fingerprint and deleted flag the item already has is a no-op). */
      applied: number;
      /** See ApplyOptions.since. Without `since`: the high water before this apply. */
      checkpoint: number;
      /** The item as it stands after the apply, one per write, in the writes' order. */
      items: StoredItem[];
      /** Whether each write's item existed (a tombstone too) when the apply began, in the writes' order. */
      existed: boolean[];
    }
  | {
      ok: false;
      mismatches: PreconditionMismatch[];
      /** The indexes of the writes ApplyOptions.authorize refused (then `mismatches` is empty: grants come first). */
      forbidden?: number[];
    };

export interface ChangesQuery {
  /**
   * Only changes with seq > after. A positive `after` (or `recordedSince`) is a reader's
   * cursor: only then does a scoped query list removals.
   */
  after?: number;
  /** Only changes this node recorded at or after this ISO time. */
  recordedSince?: string;
  /** At most this many entries (≥ 1). */
  limit: number;
  /** Include each item's `data`. Otherwise `data` is undefined on the entries. */
  withData: boolean;
  /**
   * With `withData`: a store that keeps data as JSON text (SQLite, PostgreSQL) may hand a live
   * entry's text through as `StoredEntry.dataJson`, unparsed, in place of `data`. For a reader
   * that only writes the data out again (the log resource): parsing a page's data only to
   * serialize it again was most of a log read's cost. Other stores give `data` as always.
   */
  dataAsJson?: boolean;
  /**
   * A read grant: the log of what a reader holding it may see (DESIGN §7). Absent: unscoped,
   * every item. Otherwise only items whose present channels meet the grant are listed (`*`
   * matches every item, those without channels included; [] matches none), with the same
   * exact cursor as the unscoped log, and, when a cursor is given (see `after`), a removal
   * (`StoredRemoval`) for each item the grant's channels held at some change after the cursor
   * but that is outside them now: listed once, at the seq of the change that took it out.
   *
   * That is what a reader needs to drop exactly its lost copies: an item in its view at its
   * cursor that left since is always listed. An item that entered and left again after the
   * cursor is listed too (as the unscoped log lists the tombstone of an item created and
   * deleted after a cursor): the reader drops a copy it does not have, and learns nothing its
   * grant did not show while the item was in its channels. A full read's later pages are read
   * with a cursor (the previous page's checkpoint), so they list such removals too: the reader
   * may hold the item from an earlier page of a log that moved meanwhile.
   *
   * The store knows nothing of principals: which grant a cursor was issued under (and the 410
   * when it is presented under another) is the server's to remember.
   */
  channels?: readonly string[];
}

/** A log entry: the item's latest version, without `data` unless asked for. */
export type StoredEntry = Omit<StoredItem, 'data'> & {
  data?: Json;
  /**
   * The stored JSON text of data, when the store keeps text and the query asked for it
   * (ChangesQuery.dataAsJson); equal to JSON.stringify(data) up to key order. `data` is then
   * absent. Only a live entry has it: a tombstone's data is null.
   */
  dataJson?: string;
};

/**
 * A removal entry of a scoped log: the item left the reader's view. It says nothing of where
 * the item went (no channels, no version), so the server can show it to that reader as it is.
 */
export interface StoredRemoval {
  itemId: string;
  removed: true;
  /** The seq of the change that took the item out of the grant's channels. */
  seq: number;
  recordedAt: string;
}

export interface ChangesPage<E = StoredEntry> {
  /** Oldest change first; each item once, at the seq of its latest change (a removal: see ChangesQuery.channels). */
  entries: E[];
  /** True when more entries follow after the last one. */
  hasMore: boolean;
  /**
   * The seq to resume from: the last entry's when hasMore; otherwise the node's high water
   * as of this read, so an empty page still moves a reader to the present.
   */
  checkpoint: number;
}

/**
 * What a watcher is told of a committed change. `channels`: every channel an item it wrote
 * had before or has after (a change moving an item out of a channel touches it too, since its
 * readers must see the removal); absent when the store cannot tell (a write by another process
 * it only noticed, a lost notification connection): then anything may have changed.
 */
export interface Change {
  channels?: readonly string[];
}

export interface Store {
  /** A UUID chosen when the store was created; cursors carry it. */
  readonly id: string;

  getItem(collection: string, itemId: string): Promise<StoredItem | null>;
  getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]>;
  /** The log after a cursor; an unscoped query (no `channels`) never lists a removal. */
  changes(collection: string, query: ChangesQuery & { channels?: undefined }): Promise<ChangesPage>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>>;

  /** Applies every write in one transaction, or none when any precondition fails. */
  apply(collection: string, writes: readonly Write[], options?: ApplyOptions): Promise<ApplyOutcome>;

  /** The node's latest seq (0 when nothing was ever written). */
  highWater(): Promise<number>;

  /** The names of the collections with items (tombstones included) or conflict records, sorted. */
  collections(): Promise<string[]>;

  /**
   * Removes tombstones of `collection` that this node recorded before `recordedBefore`, and
   * returns how many. The records a scoped log's removals are read from (an item left a
   * channel) go by the same retention. Cursors below the highest removed seq then expire.
   */
  purgeTombstones(collection: string, recordedBefore: string): Promise<number>;
  /** The lowest seq a cursor may carry and still see every change after it (0: all). */
  horizon(collection: string): Promise<number>;

  /**
   * Drops these items outright, with no tombstone and no log entry, those whose latest change
   * is at or before `unchangedSince` (a newer write stays). A client's full resync (DESIGN §3)
   * uses it for items its remote no longer lists; returns how many went. Optional: a store
   * without it keeps them, and the sync reports them as stale.
   */
  drop?(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number>;

  /**
   * Calls `listener` after each committed write that changed `collection`: made through this
   * store object, or (SQLite, PostgreSQL) by another process sharing the database, or (IndexedDB) by another tab. Resolves
   * once the subscription is live, so a change committed after that is never missed; the
   * listener may also be called when nothing changed (callers re-read). Resolves to the
   * function that stops it. Optional: a store without it is read, never waited on. The
   * listener is told which channels the change touched, when the store knows (see Change).
   */
  watch?(collection: string, listener: (change: Change) => void): Promise<() => void>;

  /**
   * The conflict audit of `collection`. recordConflicts keeps records outside any apply (a
   * sync that wrote nothing locally, a node recording for a client) and answers how many
   * were new; recording a conflictId again changes nothing.
   */
  recordConflicts(collection: string, records: readonly ConflictRecord[]): Promise<number>;
  conflicts(collection: string, query: ConflictsQuery): Promise<ConflictsPage>;
  getConflict(collection: string, conflictId: string): Promise<StoredConflict | null>;
  /**
   * Removes the conflict records of `collection` decided (`decidedAt`) before `decidedBefore`,
   * restored or not, and returns how many: audit retention. A removed record is unknown after.
   */
  purgeConflicts(collection: string, decidedBefore: string): Promise<number>;

  /** Sync checkpoints a client keeps in its local store, by a key of its choosing. */
  getCheckpoint(key: string): Promise<string | null>;
  setCheckpoint(key: string, value: string): Promise<void>;

  close(): Promise<void>;
}
