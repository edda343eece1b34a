import type { IDBPDatabase, IDBPTransaction, StoreNames } from 'idb';
import type { ConflictRecord, StoredConflict } from '../protocol/conflicts.js';
import { ChangeFeed } from './feed.js';
import { channelPlaces, connect, type Connection, type ItemRecord, type Schema } from './idb-schema.js';
import { planApply } from './rules.js';
import { changeOf, grantChannels, isUnscoped, mergePlacements, toScopedPage, type Membership, type Placement } from './scopes.js';
import type {
  ApplyOptions,
  ApplyOutcome,
  Change,
  ChangesPage,
  ChangesQuery,
  ConflictsPage,
  ConflictsQuery,
  Store,
  StoredEntry,
  StoredItem,
  StoredRemoval,
  Write,
} from './store.js';

/**
 * The store of a web page: IndexedDB, one database per store (lib/store/idb-schema.ts). Every
 * apply is one readwrite transaction over everything it reads and writes, and IndexedDB runs
 * overlapping readwrite transactions one at a time, across tabs too: the preconditions are
 * checked on what the transaction itself read.
 */
type Names = StoreNames<Schema>;
type Tx<S extends Names[], M extends IDBTransactionMode> = IDBPTransaction<Schema, S, M>;

const SEQ = 'seq';
const POSITION = 'position';
const horizonKey = (collection: string) => `horizon:${collection}`;

/** Every key [collection, …] of one collection: an array sorts after any string in IndexedDB. */
const ofCollection = (collection: string) => IDBKeyRange.bound([collection], [collection, []]);

export class IdbStore implements Store {
  private readonly feed = new ChangeFeed();
  private readonly connecting: Promise<Connection>;
  private connection: Connection | undefined;

  /**
   * Starts opening (creating on first use) the database `halsync:<name>`; every method waits
   * for it. `IdbStore.open(name)` (or `openStore('idb:<name>')`) answers once it is open, or
   * fails with StoreUnavailable, and is the way to have `id` at once.
   */
  constructor(readonly name: string) {
    this.connecting = connect(name).then((connection) => {
      connection.channel.onmessage = (event: MessageEvent<unknown>) => {
        const { collection, channels } = (event.data ?? {}) as { collection?: unknown; channels?: unknown };
        if (typeof collection !== 'string') return;
        this.feed.emit(collection, Array.isArray(channels) ? { channels: channels as string[] } : {});
      };
      return (this.connection = connection);
    });
    // A failed open is reported by the first call that needs the database, not as unhandled.
    this.connecting.catch(() => undefined);
  }

  /** Opens the store: resolves once the database is open. */
  static async open(name: string): Promise<IdbStore> {
    const store = new IdbStore(name);
    await store.connecting;
    return store;
  }

  get id(): string {
    if (!this.connection) throw new Error(`IdbStore ${this.name} is not open yet: await IdbStore.open(name) or openStore('idb:${this.name}')`);
    return this.connection.id;
  }

  private async database(): Promise<IDBPDatabase<Schema>> {
    return (await this.connecting).db;
  }

  async getItem(collection: string, itemId: string): Promise<StoredItem | null> {
    const db = await this.database();
    const row = await db.get('items', [collection, itemId]);
    return row ? toItem(row) : null;
  }

  async getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]> {
    if (itemIds.length === 0) return [];
    const tx = (await this.database()).transaction('items');
    const rows = await Promise.all(itemIds.map((id) => tx.store.get([collection, id])));
    await tx.done;
    return rows.flatMap((row) => (row ? [toItem(row)] : []));
  }

  changes(collection: string, query: ChangesQuery & { channels?: undefined }): Promise<ChangesPage>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>>;
  async changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>> {
    if (!isUnscoped(query.channels)) return this.scopedChanges(collection, query.channels, query);
    const after = query.after ?? 0;
    const tx = (await this.database()).transaction(['items', 'meta']);
    const highWater = await seqOf(tx.objectStore('meta'));
    const range = IDBKeyRange.bound([collection, after], [collection, Infinity], true, false);
    const bySeq = tx.objectStore('items').index('bySeq');
    let found: ItemRecord[];
    if (query.recordedSince === undefined) {
      // One request for the page (and one row more, to tell whether more follow).
      found = await bySeq.getAll(range, query.limit + 1);
    } else {
      found = [];
      for (let cursor = await bySeq.openCursor(range); cursor && found.length <= query.limit; cursor = await cursor.continue()) {
        if (cursor.value.recordedAt >= query.recordedSince) found.push(cursor.value);
      }
    }
    await tx.done;
    const hasMore = found.length > query.limit;
    const entries = found.slice(0, query.limit).map((row) => {
      const entry: ChangesPage['entries'][number] = toItem(row);
      if (!query.withData) delete entry.data;
      return entry;
    });
    const checkpoint = hasMore ? entries[entries.length - 1]!.seq : Math.max(highWater, after);
    return { entries, hasMore, checkpoint };
  }

  private async scopedChanges(collection: string, channels: readonly string[], query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>> {
    const grant = grantChannels(channels);
    const tx = (await this.database()).transaction(['items', 'meta', 'memberships']);
    const [highWater, ...perChannel] = await Promise.all([
      seqOf(tx.objectStore('meta')),
      ...grant.map((channel) => channelPlaces(tx, collection, channel, grant, query, query.limit + 1)),
    ]);
    const placements = mergePlacements(perChannel as Placement[][], query.limit + 1);
    const visible = placements.filter((p) => p.member);
    const rows = await Promise.all(visible.map((p) => tx.objectStore('items').get([collection, p.itemId])));
    await tx.done;
    const entries = new Map<string, StoredEntry>();
    for (const row of rows) {
      if (!row) continue;
      const entry: StoredEntry = toItem(row);
      if (!query.withData) delete entry.data;
      entries.set(entry.itemId, entry);
    }
    return toScopedPage(placements, entries, query.limit, query.after ?? 0, highWater as number);
  }

  async apply(collection: string, writes: readonly Write[], options: ApplyOptions = {}): Promise<ApplyOutcome> {
    const tx = (await this.database()).transaction(['items', 'meta', 'conflicts', 'memberships'], 'readwrite');
    const items = tx.objectStore('items');
    const ids = [...new Set(writes.map((w) => w.itemId))];
    const [highWater, ...rows] = await Promise.all([seqOf(tx.objectStore('meta')), ...ids.map((id) => items.get([collection, id]))]);
    const current = new Map<string, StoredItem>();
    rows.forEach((row) => row && current.set(row.itemId, toItem(row)));
    const plan = planApply(current, writes, highWater as number, options);
    if (!plan.ok) {
      // Nothing was written; aborting says so rather than committing an empty transaction.
      tx.abort();
      await tx.done.catch(() => undefined);
      return plan;
    }
    await Promise.all(plan.rows.map((row) => items.put({ ...row, collection })));
    const memberships = tx.objectStore('memberships');
    await Promise.all(plan.memberships.map((m: Membership) => memberships.put({ ...m, collection })));
    if (plan.rows.length > 0) await tx.objectStore('meta').put(plan.highWater, SEQ);
    // In this order, so an apply may record a conflict and restore it at once.
    await keep(tx, collection, options.conflicts ?? []);
    if (options.restoring) await markRestored(tx, collection, options.restoring, plan.recordedAt);
    await tx.done;
    if (plan.rows.length > 0) this.changed(collection, changeOf(plan.memberships));
    // The planned items hold the writer's own data objects: answer copies, as the other stores do.
    return structuredClone({ ok: true, applied: plan.applied, checkpoint: plan.checkpoint, items: plan.items, existed: plan.existed });
  }

  private changed(collection: string, change: Change): void {
    this.feed.emit(collection, change);
    this.connection?.channel.postMessage({ collection, channels: change.channels });
  }

  async highWater(): Promise<number> {
    return seqOf((await this.database()).transaction('meta').store);
  }

  async collections(): Promise<string[]> {
    const tx = (await this.database()).transaction(['items', 'conflicts']);
    const names = new Set<string>();
    for (const store of ['items', 'conflicts'] as const) {
      // One key a collection: from each collection's first key, jump past all of its keys.
      for (let cursor = await tx.objectStore(store).openKeyCursor(); cursor;) {
        const collection = cursor.key[0];
        names.add(collection);
        cursor = await cursor.continue([collection, []] as unknown as [string, string]);
      }
    }
    await tx.done;
    return [...names].sort();
  }

  async drop(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number> {
    const tx = (await this.database()).transaction(['items', 'memberships'], 'readwrite');
    const [items, memberships] = [tx.objectStore('items'), tx.objectStore('memberships')];
    let dropped = 0;
    for (const itemId of new Set(itemIds)) {
      const item = await items.get([collection, itemId]);
      if (!item || item.seq > unchangedSince) continue;
      await items.delete([collection, itemId]);
      await memberships.delete(IDBKeyRange.bound([collection, itemId], [collection, itemId, []]));
      dropped++;
    }
    await tx.done;
    return dropped;
  }

  async purgeTombstones(collection: string, recordedBefore: string): Promise<number> {
    const tx = (await this.database()).transaction(['items', 'meta', 'memberships'], 'readwrite');
    const meta = tx.objectStore('meta');
    const memberships = tx.objectStore('memberships');
    let horizon = ((await meta.get(horizonKey(collection))) as number | undefined) ?? 0;
    let purged = 0;
    for (let cursor = await tx.objectStore('items').openCursor(ofCollection(collection)); cursor; cursor = await cursor.continue()) {
      const item = cursor.value;
      if (!item.deleted || item.recordedAt >= recordedBefore) continue;
      await cursor.delete();
      // Its memberships now; those of channels it left earlier go by their own time, below.
      await Promise.all(item.channels.map((channel) => memberships.delete([collection, item.itemId, channel])));
      horizon = Math.max(horizon, item.seq);
      purged++;
    }
    // A removal a cursor below the horizon would need is no longer kept: such cursors expire.
    for (let cursor = await memberships.openCursor(ofCollection(collection)); cursor; cursor = await cursor.continue()) {
      const m = cursor.value;
      if (m.member || m.recordedAt >= recordedBefore) continue;
      await cursor.delete();
      horizon = Math.max(horizon, m.seq);
    }
    await meta.put(horizon, horizonKey(collection));
    await tx.done;
    return purged;
  }

  async horizon(collection: string): Promise<number> {
    const db = await this.database();
    return ((await db.get('meta', horizonKey(collection))) as number | undefined) ?? 0;
  }

  /** Told of this handle's writes directly, and of every other handle's (other tabs included) through the BroadcastChannel. */
  async watch(collection: string, listener: (change: Change) => void): Promise<() => void> {
    // Live once the channel is: another tab's write after this resolves is heard.
    await this.connecting;
    return this.feed.on(collection, listener);
  }

  async recordConflicts(collection: string, records: readonly ConflictRecord[]): Promise<number> {
    const tx = (await this.database()).transaction(['conflicts', 'meta'], 'readwrite');
    const added = await keep(tx, collection, records);
    await tx.done;
    return added;
  }

  async conflicts(collection: string, query: ConflictsQuery): Promise<ConflictsPage> {
    const upper = query.before === undefined ? Infinity : query.before;
    const range = IDBKeyRange.bound([collection, -Infinity], [collection, upper], false, true);
    const tx = (await this.database()).transaction('conflicts');
    const found: StoredConflict[] = [];
    for (let cursor = await tx.store.index('byPosition').openCursor(range, 'prev'); cursor; cursor = await cursor.continue()) {
      found.push(cursor.value.record);
      if (found.length > query.limit) break;
    }
    await tx.done;
    return { records: found.slice(0, query.limit), hasMore: found.length > query.limit };
  }

  async getConflict(collection: string, conflictId: string): Promise<StoredConflict | null> {
    const db = await this.database();
    return (await db.get('conflicts', [collection, conflictId]))?.record ?? null;
  }

  async purgeConflicts(collection: string, decidedBefore: string): Promise<number> {
    const tx = (await this.database()).transaction('conflicts', 'readwrite');
    let purged = 0;
    for (let cursor = await tx.store.openCursor(ofCollection(collection)); cursor; cursor = await cursor.continue()) {
      if (cursor.value.decidedAt >= decidedBefore) continue;
      await cursor.delete();
      purged++;
    }
    await tx.done;
    return purged;
  }

  async getCheckpoint(key: string): Promise<string | null> {
    const db = await this.database();
    return (await db.get('checkpoints', key)) ?? null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    const db = await this.database();
    await db.put('checkpoints', value, key);
  }

  async close(): Promise<void> {
    const connection = await this.connecting.catch(() => undefined);
    connection?.channel.close();
    connection?.db.close();
  }
}

/** The node's high water, read from `meta` inside whatever transaction the caller runs. */
async function seqOf(meta: { get(key: string): Promise<Schema['meta']['value'] | undefined> }): Promise<number> {
  return ((await meta.get(SEQ)) as number | undefined) ?? 0;
}

/** Adds the records not yet kept, each at the next position; answers how many were new. */
async function keep(
  tx: Tx<['conflicts', 'meta'] | ['items', 'meta', 'conflicts', 'memberships'], 'readwrite'>,
  collection: string,
  records: readonly ConflictRecord[],
) {
  if (records.length === 0) return 0;
  const conflicts = tx.objectStore('conflicts');
  const meta = tx.objectStore('meta');
  let position = ((await meta.get(POSITION)) as number | undefined) ?? 0;
  let added = 0;
  for (const record of records) {
    if ((await conflicts.getKey([collection, record.conflictId])) !== undefined) continue;
    position++;
    const stored: StoredConflict = { ...record, position, restored: null };
    await conflicts.add({ collection, conflictId: record.conflictId, decidedAt: record.decidedAt, position, record: stored });
    added++;
  }
  await meta.put(position, POSITION);
  return added;
}

async function markRestored(
  tx: Tx<['items', 'meta', 'conflicts', 'memberships'], 'readwrite'>,
  collection: string,
  restoring: NonNullable<ApplyOptions['restoring']>,
  restoredAt: string,
): Promise<void> {
  const conflicts = tx.objectStore('conflicts');
  const entry = await conflicts.get([collection, restoring.conflictId]);
  if (!entry) return;
  entry.record.restored = { side: restoring.side, restoredAt };
  await conflicts.put(entry);
}

function toItem(row: ItemRecord): StoredItem {
  const { collection: _collection, ...item } = row;
  return item;
}
