import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { StoredConflict } from '../protocol/conflicts.js';
import { StoreUnavailable } from './errors.js';
import { listsRemovals, type Membership, type Placement } from './scopes.js';
import type { ChangesQuery, StoredItem } from './store.js';

/**
 * IdbStore's database: items and conflict records as structured clones (key order and every
 * JSON value survive) keyed by [collection, id]; memberships (lib/store/scopes.ts) keyed by
 * [collection, itemId, channel], with an index paging one channel's log in seq order; the
 * node-wide sequence, the audit's position counter, horizons and the store's id in `meta`.
 */
export interface ItemRecord extends StoredItem {
  collection: string;
}

export interface MembershipRecord extends Membership {
  collection: string;
}

export interface ConflictEntry {
  collection: string;
  conflictId: string;
  decidedAt: string;
  position: number;
  record: StoredConflict;
}

export interface Schema extends DBSchema {
  items: { key: [string, string]; value: ItemRecord; indexes: { bySeq: [string, number] } };
  memberships: { key: [string, string, string]; value: MembershipRecord; indexes: { byChannel: [string, string, number] } };
  conflicts: { key: [string, string]; value: ConflictEntry; indexes: { byPosition: [string, number] } };
  meta: { key: string; value: string | number };
  checkpoints: { key: string; value: string };
}

/** Version 2: channels. Items kept by version 1 have none (as SQLite's schema 3 has it). */
const VERSION = 2;

export interface Connection {
  id: string;
  db: IDBPDatabase<Schema>;
  /** Tells the store's other handles (other tabs, workers) which collection changed. */
  channel: BroadcastChannel;
}

export async function connect(name: string): Promise<Connection> {
  const dbName = `halsync:${name}`;
  try {
    const db = await openDB<Schema>(dbName, VERSION, {
      upgrade(db, oldVersion, _newVersion, tx) {
        if (oldVersion < 1) {
          db.createObjectStore('items', { keyPath: ['collection', 'itemId'] }).createIndex('bySeq', ['collection', 'seq']);
          db.createObjectStore('conflicts', { keyPath: ['collection', 'conflictId'] }).createIndex('byPosition', ['collection', 'position']);
          db.createObjectStore('checkpoints');
          // Chosen inside the upgrade, which runs once however many tabs open the store at once.
          void db.createObjectStore('meta').put(crypto.randomUUID(), 'id');
        }
        if (oldVersion < 2) {
          db.createObjectStore('memberships', { keyPath: ['collection', 'itemId', 'channel'] }).createIndex('byChannel', ['collection', 'channel', 'seq']);
          // Items kept by version 1 get the empty channel set, inside the upgrade's transaction.
          if (oldVersion >= 1) {
            void (async () => {
              for (let cursor = await tx.objectStore('items').openCursor(); cursor; cursor = await cursor.continue()) {
                if (!Array.isArray(cursor.value.channels)) await cursor.update({ ...cursor.value, channels: [] });
              }
            })();
          }
        }
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

/** The seq order of a collection's memberships of one channel after `after`. */
const channelLog = (collection: string, channel: string, after: number) =>
  IDBKeyRange.bound([collection, channel, after], [collection, channel, Infinity], true, false);

/**
 * One granted channel's first `count` places (lib/store/scopes.ts): its memberships after the
 * cursor that are the item's place in the grant, a true one, or (when removals are listed) the
 * exit from the grant: no true membership of the grant and no later exit from it.
 */
export async function channelPlaces(
  tx: IDBPTransaction<Schema, ['items', 'meta', 'memberships'], 'readonly'>,
  collection: string,
  channel: string,
  grant: readonly string[],
  query: ChangesQuery,
  count: number,
): Promise<Placement[]> {
  const removals = listsRemovals(query);
  const memberships = tx.objectStore('memberships');
  const places: Placement[] = [];
  const range = channelLog(collection, channel, query.after ?? 0);
  for (let cursor = await memberships.index('byChannel').openCursor(range); cursor && places.length < count; cursor = await cursor.continue()) {
    const m = cursor.value;
    if (query.recordedSince !== undefined && m.recordedAt < query.recordedSince) continue;
    if (!m.member) {
      if (!removals) continue;
      const held = await memberships.getAll(IDBKeyRange.bound([collection, m.itemId], [collection, m.itemId, []]));
      if (held.some((o) => grant.includes(o.channel) && (o.member || o.seq > m.seq))) continue;
    }
    places.push({ itemId: m.itemId, seq: m.seq, member: m.member, recordedAt: m.recordedAt });
  }
  return places;
}
