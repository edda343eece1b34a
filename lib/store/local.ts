import { fingerprint, TOMBSTONE_FINGERPRINT } from '../protocol/fingerprint.js';
import { PreconditionFailed } from '../protocol/problems.js';
import type { Json, Version } from '../protocol/types.js';
import type { ChangesPage, Precondition, Store, StoredItem } from './store.js';

/**
 * What app code wants of its local replica: items to put, get, delete and list, and to hear
 * of changes (its own, another tab's, and what a sync pulled in). Every write is an origin
 * edit through `store.apply`: the fingerprint is computed here, and the store stamps
 * `updatedAt` from the clock inside its transaction, never lower than the item's previous
 * one, so the next sync pushes the edit and a later edit always wins over an earlier one.
 */

/** A live item as app code sees it (tombstones are absent). */
export interface LocalItem {
  itemId: string;
  data: Json;
  updatedAt: string;
  fingerprint: string;
}

/** One change a subscription reports: the item now, or its deletion. */
export type LocalChange = { itemId: string; deleted: false; item: LocalItem } | { itemId: string; deleted: true };

export interface LocalWriteOptions {
  /**
   * Write only over this version: the fingerprint the app last read, or null for "the item
   * must not exist" (a create). Otherwise a PreconditionFailed (412) carrying the present
   * version. Without it, the write replaces whatever the item is, inside the store's transaction.
   */
  ifMatch?: string | null;
}

export interface LocalItemsOptions {
  /** The clock edits are stamped from (tests pass their own). */
  now?: () => Date;
}

/** A local write whose `ifMatch` no longer holds; `current` is the item's present version (null: absent). */
export class VersionMismatch extends PreconditionFailed {
  constructor(
    detail: string,
    readonly current: Version | null,
  ) {
    super(detail);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PAGE = 500;

export class LocalItems {
  constructor(
    readonly store: Store,
    private readonly options: LocalItemsOptions = {},
  ) {}

  /** The item, or null when it does not exist or is deleted. */
  async get(collection: string, itemId: string): Promise<LocalItem | null> {
    const item = await this.store.getItem(collection, itemId);
    return item && !item.deleted ? toLocal(item) : null;
  }

  /** Creates or replaces the item's data; answers the item as stored. */
  async put(collection: string, itemId: string, data: Json, options: LocalWriteOptions = {}): Promise<LocalItem> {
    checkId(itemId);
    if (data === undefined) throw new TypeError('data must be a JSON value (null is one; undefined is not)');
    return toLocal((await this.write(collection, itemId, false, data, options)).item);
  }

  /** Deletes the item (a tombstone, so the deletion syncs); answers whether a live item was deleted. */
  async delete(collection: string, itemId: string, options: LocalWriteOptions = {}): Promise<boolean> {
    checkId(itemId);
    // A store records nothing for deleting an absent item or a tombstone: applied says which it was.
    return (await this.write(collection, itemId, true, null, options)).applied === 1;
  }

  /** Every live item of the collection, least recently changed first. */
  async list(collection: string): Promise<LocalItem[]> {
    const items: LocalItem[] = [];
    let after = 0;
    for (;;) {
      const page = await this.store.changes(collection, { after, limit: PAGE, withData: true });
      for (const entry of page.entries) if (!entry.deleted) items.push(toLocal(entry as StoredItem));
      if (!page.hasMore) return items;
      after = page.checkpoint;
    }
  }

  /**
   * Calls `listener` with the changes of `collection` committed after the subscription is
   * live, oldest first, each item once at its latest version. Resolves to the function that
   * stops it. A failed read of the store goes to `onError` (the subscription goes on).
   */
  async subscribe(collection: string, listener: (changes: LocalChange[]) => void, onError?: (error: unknown) => void): Promise<() => void> {
    if (!this.store.watch) throw new Error('this store cannot be watched');
    let stopped = false;
    let cursor: number | undefined;
    let reading: Promise<void> = Promise.resolve();
    const read = async () => {
      if (stopped || cursor === undefined) return;
      const changes: LocalChange[] = [];
      for (;;) {
        const page: ChangesPage = await this.store.changes(collection, { after: cursor, limit: PAGE, withData: true });
        changes.push(...page.entries.map(toChange));
        cursor = page.checkpoint;
        if (!page.hasMore) break;
      }
      if (changes.length > 0 && !stopped) listener(changes);
    };
    // One read at a time, each after the last: a change told during a read is read after it.
    const tell = () => {
      reading = reading.then(read).catch((error: unknown) => onError?.(error));
    };
    const stop = await this.store.watch(collection, tell);
    // Read after the watch is live, so nothing committed from here on is missed.
    cursor = await this.store.highWater();
    return () => {
      stopped = true;
      stop();
    };
  }

  private async write(collection: string, itemId: string, deleted: boolean, data: Json, options: LocalWriteOptions) {
    const precondition: Precondition = options.ifMatch === undefined ? { kind: 'none' } : { kind: 'base', fingerprint: options.ifMatch };
    const outcome = await this.store.apply(
      collection,
      [{ itemId, deleted, data, fingerprint: deleted ? TOMBSTONE_FINGERPRINT : fingerprint(data), updatedAt: null, precondition }],
      this.options.now ? { now: this.options.now } : {},
    );
    if (!outcome.ok) {
      const current = outcome.mismatches[0]?.current ?? null;
      const shown = current && { updatedAt: current.updatedAt, fingerprint: current.fingerprint, deleted: current.deleted };
      throw new VersionMismatch(`item ${itemId} of ${collection} is not the version ${options.ifMatch ?? '(absent)'} any more`, shown);
    }
    return { item: outcome.items[0]!, applied: outcome.applied };
  }
}

function checkId(itemId: string): void {
  if (!UUID.test(itemId)) throw new TypeError(`itemId must be a lowercase UUID (crypto.randomUUID()), not "${itemId}"`);
}

function toLocal(item: StoredItem): LocalItem {
  return { itemId: item.itemId, data: item.data, updatedAt: item.updatedAt, fingerprint: item.fingerprint };
}

function toChange(entry: Omit<StoredItem, 'data'> & { data?: Json }): LocalChange {
  return entry.deleted ? { itemId: entry.itemId, deleted: true } : { itemId: entry.itemId, deleted: false, item: toLocal(entry as StoredItem) };
}
