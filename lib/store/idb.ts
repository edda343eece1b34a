import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { ConflictRecord, StoredConflict } from '../protocol/conflicts.js';
import { ChangeFeed } from './feed.js';
import { planApply } from './rules.js';
import {
  StoreUnavailable,
  type ApplyOptions,
  type ApplyOutcome,
  type Change,
  type ChangesPage,
  type ChangesQuery,
  type ConflictsPage,
  type ConflictsQuery,
  type Store,
  type StoredItem,
  type Write,
} from './store.js';

/**
 * The store of a web page: IndexedDB, one database per store. Items and conflict records are
 * kept as structured clones (key order and every JSON value survive), keyed by
 * [collection, id]; the node-wide sequence, the audit's position counter, horizons and the
 * store's id live in `meta`. Every apply is one readwrite transaction over everything it
 * reads and writes, and IndexedDB runs overlapping readwrite transactions one at a time,
 * across tabs too: the preconditions are checked on what the transaction itself read.
 */
interface ItemRecord extends StoredItem {
  collection: string;
}

interface ConflictEntry {
  collection: string;
  conflictId: string;
  decidedAt: string;
  position: number;
  record: StoredConflict;
}

interface Schema extends DBSchema {
  items: { key: [string, string]; value: ItemRecord; indexes: { bySeq: [string, number] } };
  conflicts: { key: [string, string]; value: ConflictEntry; indexes: { byPosition: [string, number] } };
  meta: { key: string; value: string | number };
  checkpoints: { key: string; value: string };
}

type Names = StoreNames<Schema>;
type Tx<S extends Names[], M extends IDBTransactionMode> = IDBPTransaction<Schema, S, M>;

const VERSION = 1;
const SEQ = 'seq';
const POSITION = 'position';
const horizonKey = (collection: string) => `horizon:${collection}`;

/** Every key [collection, …] of one collection: an array sorts after any string in IndexedDB. */
const ofCollection = (collection: string) => IDBKeyRange.bound([collection], [collection, []]);

interface Connection {
  id: string;
  db: IDBPDatabase<Schema>;
  /** Tells the store's other handles (other tabs, workers) which collection changed. */
  channel: BroadcastChannel;
}

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
        const collection = (event.data as { collection?: unknown } | null)?.collection;
        if (typeof collection === 'string') this.feed.emit(collection);
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

  async changes(collection: string, query: ChangesQuery): Promise<ChangesPage> {
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

  async apply(collection: string, writes: readonly Write[], options: ApplyOptions = {}): Promise<ApplyOutcome> {
    const tx = (await this.database()).transaction(['items', 'meta', 'conflicts'], 'readwrite');
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
    if (plan.rows.length > 0) await tx.objectStore('meta').put(plan.highWater, SEQ);
    // In this order, so an apply may record a conflict and restore it at once.
    await keep(tx, collection, options.conflicts ?? []);
    if (options.restoring) await markRestored(tx, collection, options.restoring, plan.recordedAt);
    await tx.done;
    if (plan.rows.length > 0) this.changed(collection);
    // The planned items hold the writer's own data objects: answer copies, as the other stores do.
    return structuredClone({ ok: true, applied: plan.applied, checkpoint: plan.checkpoint, items: plan.items, existed: plan.existed });
  }

  private changed(collection: string): void {
    this.feed.emit(collection);
    this.connection?.channel.postMessage({ collection });
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

  async purgeTombstones(collection: string, recordedBefore: string): Promise<number> {
    const tx = (await this.database()).transaction(['items', 'meta'], 'readwrite');
    const meta = tx.objectStore('meta');
    let horizon = ((await meta.get(horizonKey(collection))) as number | undefined) ?? 0;
    let purged = 0;
    for (let cursor = await tx.objectStore('items').openCursor(ofCollection(collection)); cursor; cursor = await cursor.continue()) {
      const item = cursor.value;
      if (!item.deleted || item.recordedAt >= recordedBefore) continue;
      await cursor.delete();
      horizon = Math.max(horizon, item.seq);
      purged++;
    }
    await meta.put(horizon, horizonKey(collection));
    await tx.done;
    return purged;
  }

  /** Items unchanged since `unchangedSince`, gone without a tombstone (Store.drop; a full resync's removals). */
  async drop(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number> {
    const tx = (await this.database()).transaction('items', 'readwrite');
    const found = await Promise.all(itemIds.map((id) => tx.store.get([collection, id])));
    const gone = found.filter((item) => item !== undefined && item.seq <= unchangedSince);
    await Promise.all(gone.map((item) => tx.store.delete([collection, item!.itemId])));
    await tx.done;
    return gone.length;
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
async function keep(tx: Tx<['conflicts', 'meta'] | ['items', 'meta', 'conflicts'], 'readwrite'>, collection: string, records: readonly ConflictRecord[]) {
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
  tx: Tx<['items', 'meta', 'conflicts'], 'readwrite'>,
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

async function connect(name: string): Promise<Connection> {
  const dbName = `halsync:${name}`;
  try {
    const db = await openDB<Schema>(dbName, VERSION, {
      upgrade(db) {
        db.createObjectStore('items', { keyPath: ['collection', 'itemId'] }).createIndex('bySeq', ['collection', 'seq']);
        db.createObjectStore('conflicts', { keyPath: ['collection', 'conflictId'] }).createIndex('byPosition', ['collection', 'position']);
        const meta = db.createObjectStore('meta');
        db.createObjectStore('checkpoints');
        // Chosen inside the upgrade, which runs once however many tabs open the store at once.
        void meta.put(crypto.randomUUID(), 'id');
      },
      // A newer version opened elsewhere (another tab after an upgrade) waits for this connection.
      blocking() {
        db.close();
      },
    });
    const id = await db.get('meta', 'id');
    if (typeof id !== 'string') throw new Error(`database ${dbName} has no store id`);
    return { id, db, channel: new BroadcastChannel(dbName) };
  } catch (err) {
    throw new StoreUnavailable(`idb:${name}`, err);
  }
}

function toItem(row: ItemRecord): StoredItem {
  const { collection: _collection, ...item } = row;
  return item;
}
