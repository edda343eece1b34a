import type { ConflictRecord, Side, StoredConflict } from '../protocol/conflicts.js';
import type { Json, VersionWithData } from '../protocol/types.js';
import { HalsyncError } from '../protocol/problems.js';

/**
 * The store interface. One node keeps all its collections in one store; every write is
 * recorded under a node-wide, monotonic sequence number (`seq`), and each collection's
 * transaction log is its items ordered by the seq of their latest change.
 *
 * Implementations: memory (lib/store/memory.ts), SQLite, PostgreSQL. The conformance suite
 * in test/store/ runs unchanged against each.
 */

/** An item as a store holds it: its version, its content, and where it sits in the log. */
export interface StoredItem extends VersionWithData {
  itemId: string;
  /** The node's sequence number of the item's latest change. */
  seq: number;
  /** ISO time at which this node recorded that change (not the item's updatedAt). */
  recordedAt: string;
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

/** A refused precondition. */
export interface Conflict {
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
  | { ok: false; conflicts: Conflict[] };

export interface ChangesQuery {
  /** Only changes with seq > after. */
  after?: number;
  /** Only changes this node recorded at or after this ISO time. */
  recordedSince?: string;
  /** At most this many entries (≥ 1). */
  limit: number;
  /** Include each item's `data`. Otherwise `data` is undefined on the entries. */
  withData: boolean;
}

export interface ChangesPage {
  /** Oldest change first; each item once, at the seq of its latest change. */
  entries: Array<Omit<StoredItem, 'data'> & { data?: Json }>;
  /** True when more entries follow after the last one. */
  hasMore: boolean;
  /**
   * The seq to resume from: the last entry's when hasMore; otherwise the node's high water
   * as of this read, so an empty page still moves a reader to the present.
   */
  checkpoint: number;
}

export interface Store {
  /** A UUID chosen when the store was created; cursors carry it. */
  readonly id: string;

  getItem(collection: string, itemId: string): Promise<StoredItem | null>;
  getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage>;

  /** Applies every write in one transaction, or none when any precondition fails. */
  apply(collection: string, writes: readonly Write[], options?: ApplyOptions): Promise<ApplyOutcome>;

  /** The node's latest seq (0 when nothing was ever written). */
  highWater(): Promise<number>;

  /** The names of the collections with items (tombstones included) or conflict records, sorted. */
  collections(): Promise<string[]>;

  /**
   * Removes tombstones of `collection` that this node recorded before `recordedBefore`, and
   * returns how many. Cursors below the highest removed seq then expire.
   */
  purgeTombstones(collection: string, recordedBefore: string): Promise<number>;
  /** The lowest seq a cursor may carry and still see every change after it (0: all). */
  horizon(collection: string): Promise<number>;

  /**
   * Calls `listener` after each committed write that changed `collection`: made through this
   * store object, or (SQLite, PostgreSQL) by another process sharing the database. Resolves
   * once the subscription is live, so a change committed after that is never missed; the
   * listener may also be called when nothing changed (callers re-read). Resolves to the
   * function that stops it. Optional: a store without it is read, never waited on.
   */
  watch?(collection: string, listener: () => void): Promise<() => void>;

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

/**
 * A store that cannot be opened or reached: a corrupt or unreadable SQLite file, a PostgreSQL
 * server that refuses the connection. Raised by openStore (and by a store whose database goes
 * away later), naming the store and the cause, so a node fails at start rather than at the
 * first request.
 */
export class StoreUnavailable extends HalsyncError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(503, 'store-unavailable', 'Store unavailable', `store ${store} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.cause = cause;
  }
}
