import Database from 'better-sqlite3';
import { migrate } from './sqlite-schema.js';
import { ChangeFeed } from './feed.js';
import type { ConflictRecord, StoredConflict } from '../protocol/conflicts.js';
import { CONFLICT_COLUMNS, conflictValues, toConflictsPage, toStoredConflict, type ConflictRow } from './conflict-rows.js';
import { planApply } from './rules.js';
import {
  entryData,
  ITEM_COLUMNS,
  inRequestedOrder,
  itemValues,
  rowOf,
  toEntry,
  toPage,
  toPlacement,
  toStoredItem,
  type ItemRow,
  type MembershipRow,
} from './rows.js';
import { changeOf, grantChannels, isUnscoped, listsRemovals, mergePlacements, toScopedPage } from './scopes.js';
import {
  StoreUnavailable,
  type ApplyOptions,
  type ApplyOutcome,
  type Change,
  type ChangesPage,
  type ChangesQuery,
  type StoredEntry,
  type StoredRemoval,
  type ConflictsPage,
  type ConflictsQuery,
  type Store,
  type StoredItem,
  type Write,
} from './store.js';

/** How often a watched store checks for commits by other processes sharing the file. */
const FOREIGN_WRITE_CHECK_MS = 250;

/**
 * The embedded store: one SQLite file in WAL mode. better-sqlite3 is synchronous, so each
 * method runs to completion in one transaction; several processes may share the file (writes
 * take the write lock up front and wait for each other up to the busy timeout).
 */
export class SqliteStore implements Store {
  readonly id: string;
  private readonly db: Database.Database;
  private readonly statements;
  private readonly feed = new ChangeFeed();
  private foreignWrites: { timer: NodeJS.Timeout; version: number } | undefined;

  private constructor(db: Database.Database) {
    this.db = db;
    this.id = (db.prepare('SELECT store_id FROM node').get() as { store_id: string }).store_id;
    this.statements = {
      item: db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE collection = ? AND item_id = ?`),
      // Raw: rows as arrays, read by rowOf (a log page reads a thousand rows).
      items: db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE collection = ? AND item_id IN (SELECT value FROM json_each(?))`).raw(),
      changes: db.prepare(`SELECT ${ITEM_COLUMNS} FROM items WHERE collection = ? AND seq > ? AND (? IS NULL OR recorded_at >= ?) ORDER BY seq LIMIT ?`).raw(),
      highWater: db.prepare('SELECT seq FROM node').pluck(),
      setHighWater: db.prepare('UPDATE node SET seq = ?'),
      upsert: db.prepare(
        `INSERT INTO items (collection, ${ITEM_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (collection, item_id) DO UPDATE SET updated_at = excluded.updated_at, fingerprint = excluded.fingerprint,
           deleted = excluded.deleted, data = excluded.data, seq = excluded.seq, recorded_at = excluded.recorded_at, channels = excluded.channels`,
      ),
      drop: db.prepare('DELETE FROM items WHERE collection = ? AND item_id IN (SELECT value FROM json_each(?)) AND seq <= ? RETURNING item_id').pluck(),
      dropMemberships: db.prepare('DELETE FROM memberships WHERE collection = ? AND item_id IN (SELECT value FROM json_each(?))'),
      join: db.prepare(
        `INSERT INTO memberships (collection, channel, item_id, seq, member, recorded_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (collection, channel, item_id) DO UPDATE SET seq = excluded.seq, member = excluded.member, recorded_at = excluded.recorded_at`,
      ),
      // One granted channel's first places (lib/store/scopes.ts): its memberships after the
      // cursor, in seq order, each either true (the item's latest change) or the item's last
      // exit from the grant (no true membership of the grant, no later exit from it).
      placements: db.prepare(
        `SELECT item_id, seq, member, recorded_at FROM memberships AS m
         WHERE collection = @collection AND channel = @channel AND seq > @after AND (@since IS NULL OR recorded_at >= @since)
           AND (member = 1 OR (@removals = 1 AND NOT EXISTS (
             SELECT 1 FROM memberships AS o WHERE o.collection = m.collection AND o.item_id = m.item_id
               AND o.channel IN (SELECT value FROM json_each(@grant)) AND (o.member = 1 OR o.seq > m.seq))))
         ORDER BY seq LIMIT @count`,
      ),
      purge: db.prepare('DELETE FROM items WHERE collection = ? AND deleted = 1 AND recorded_at < ? RETURNING seq, item_id, channels'),
      leave: db.prepare('DELETE FROM memberships WHERE collection = ? AND channel = ? AND item_id = ?'),
      purgeLeft: db.prepare('DELETE FROM memberships WHERE collection = ? AND member = 0 AND recorded_at < ? RETURNING seq').pluck(),
      raiseHorizon: db.prepare('INSERT INTO horizons (collection, seq) VALUES (?, ?) ON CONFLICT (collection) DO UPDATE SET seq = max(seq, excluded.seq)'),
      horizon: db.prepare('SELECT seq FROM horizons WHERE collection = ?').pluck(),
      collections: db.prepare('SELECT collection FROM items UNION SELECT collection FROM conflicts ORDER BY collection').pluck(),
      getCheckpoint: db.prepare('SELECT value FROM checkpoints WHERE key = ?').pluck(),
      setCheckpoint: db.prepare('INSERT INTO checkpoints (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      recordConflict: db.prepare(
        'INSERT INTO conflicts (collection, conflict_id, item_id, decided_at, record) VALUES (?, ?, ?, ?, ?) ON CONFLICT (collection, conflict_id) DO NOTHING',
      ),
      conflicts: db.prepare(`SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE collection = ? AND position < ? ORDER BY position DESC LIMIT ?`),
      conflict: db.prepare(`SELECT ${CONFLICT_COLUMNS} FROM conflicts WHERE collection = ? AND conflict_id = ?`),
      purgeConflicts: db.prepare('DELETE FROM conflicts WHERE collection = ? AND decided_at < ?'),
      markRestored: db.prepare('UPDATE conflicts SET restored_side = ?, restored_at = ? WHERE collection = ? AND conflict_id = ?'),
    };
  }

  /** Opens (creating when new) the database at `path`; a file that is not a halsync database is a StoreUnavailable. */
  static open(path: string): SqliteStore {
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { timeout: 10_000 });
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      migrate(db);
      return new SqliteStore(db);
    } catch (error) {
      db?.close();
      throw new StoreUnavailable(`sqlite:${path}`, error);
    }
  }

  async getItem(collection: string, itemId: string): Promise<StoredItem | null> {
    const row = this.statements.item.get(collection, itemId) as ItemRow | undefined;
    return row ? toStoredItem(row) : null;
  }

  async getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]> {
    return inRequestedOrder(this.readItems(collection, itemIds), itemIds);
  }

  private readItems(collection: string, itemIds: readonly string[]): ItemRow[] {
    return (this.statements.items.all(collection, JSON.stringify(itemIds)) as unknown[][]).map(rowOf);
  }

  changes(collection: string, query: ChangesQuery & { channels?: undefined }): Promise<ChangesPage>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>>;
  async changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>> {
    const after = query.after ?? 0;
    const since = query.recordedSince ?? null;
    // One read transaction: the high water must belong to the same snapshot as the page.
    const read = this.db.transaction(() => {
      const highWater = this.statements.highWater.get() as number;
      if (isUnscoped(query.channels)) {
        const rows = (this.statements.changes.all(collection, after, since, since, query.limit + 1) as unknown[][]).map(rowOf);
        return toPage(rows, query.limit, entryData(query), after, highWater);
      }
      const grant = grantChannels(query.channels);
      const common = { collection, after, since, removals: listsRemovals(query) ? 1 : 0, grant: JSON.stringify(grant), count: query.limit + 1 };
      const perChannel = grant.map((channel) => (this.statements.placements.all({ ...common, channel }) as MembershipRow[]).map(toPlacement));
      const placements = mergePlacements(perChannel, query.limit + 1);
      const visible = this.readItems(
        collection,
        placements.filter((p) => p.member).map((p) => p.itemId),
      );
      const entries = new Map(visible.map((row) => [row.item_id, toEntry(row, entryData(query))]));
      return toScopedPage(placements, entries, query.limit, after, highWater);
    });
    return read();
  }

  async apply(collection: string, writes: readonly Write[], options: ApplyOptions = {}): Promise<ApplyOutcome> {
    let change: Change = {};
    const run = this.db.transaction((): ApplyOutcome => {
      const current = new Map(
        this.readItems(
          collection,
          writes.map((w) => w.itemId),
        ).map((row) => [row.item_id, toStoredItem(row)]),
      );
      const plan = planApply(current, writes, this.statements.highWater.get() as number, options);
      if (!plan.ok) return plan;
      for (const row of plan.rows) {
        const values = itemValues(row, plan.dataJson.get(row));
        this.statements.upsert.run(collection, ...values.slice(0, 3), row.deleted ? 1 : 0, ...values.slice(4));
      }
      for (const m of plan.memberships) this.statements.join.run(collection, m.channel, m.itemId, m.seq, m.member ? 1 : 0, m.recordedAt);
      this.statements.setHighWater.run(plan.highWater);
      this.keep(collection, options.conflicts ?? []);
      if (options.restoring) this.statements.markRestored.run(options.restoring.side, plan.recordedAt, collection, options.restoring.conflictId);
      change = changeOf(plan.memberships);
      return { ok: true, applied: plan.applied, checkpoint: plan.checkpoint, items: plan.items, existed: plan.existed };
    });
    // IMMEDIATE takes the write lock before reading, so another process cannot change the
    // items between our precondition checks and our writes. The outcome is not cloned: it
    // holds rows parsed for this call and the caller's own write data, nothing the store keeps
    // (cloning it was a quarter of a 10,000-item pull's CPU in test/bench).
    const outcome = run.immediate();
    if (outcome.ok && outcome.applied > 0) this.feed.emit(collection, change);
    return outcome;
  }

  async highWater(): Promise<number> {
    return this.statements.highWater.get() as number;
  }

  async collections(): Promise<string[]> {
    return this.statements.collections.all() as string[];
  }

  async drop(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number> {
    const run = this.db.transaction(() => {
      const dropped = this.statements.drop.all(collection, JSON.stringify(itemIds), unchangedSince) as string[];
      if (dropped.length > 0) this.statements.dropMemberships.run(collection, JSON.stringify(dropped));
      return dropped.length;
    });
    return run.immediate();
  }

  async purgeTombstones(collection: string, recordedBefore: string): Promise<number> {
    const run = this.db.transaction(() => {
      const purged = this.statements.purge.all(collection, recordedBefore) as Array<{ seq: number; item_id: string; channels: string }>;
      for (const row of purged) for (const channel of JSON.parse(row.channels) as string[]) this.statements.leave.run(collection, channel, row.item_id);
      // Removals recorded before the same time go too (see Store.purgeTombstones).
      const seqs = [...purged.map((row) => row.seq), ...(this.statements.purgeLeft.all(collection, recordedBefore) as number[])];
      if (seqs.length > 0)
        this.statements.raiseHorizon.run(
          collection,
          seqs.reduce((a, b) => Math.max(a, b)),
        );
      return purged.length;
    });
    return run.immediate();
  }

  async horizon(collection: string): Promise<number> {
    return (this.statements.horizon.get(collection) as number | undefined) ?? 0;
  }

  async watch(collection: string, listener: (change: Change) => void): Promise<() => void> {
    const off = this.feed.on(collection, listener);
    this.checkForeignWrites();
    return () => {
      off();
      this.checkForeignWrites();
    };
  }

  /**
   * While anyone watches, polls `PRAGMA data_version` (it changes when another connection
   * commits): a write by another process sharing the file is told within FOREIGN_WRITE_CHECK_MS.
   * A local pragma, not I/O on the network; unref'd, so it keeps no process alive.
   */
  private checkForeignWrites(): void {
    if (this.feed.watched && !this.foreignWrites && this.db.open) {
      const version = this.db.pragma('data_version', { simple: true }) as number;
      const timer = setInterval(() => {
        if (!this.db.open || !this.foreignWrites) return;
        const now = this.db.pragma('data_version', { simple: true }) as number;
        if (now === this.foreignWrites.version) return;
        this.foreignWrites.version = now;
        this.feed.emitAll();
      }, FOREIGN_WRITE_CHECK_MS);
      timer.unref();
      this.foreignWrites = { timer, version };
    } else if (!this.feed.watched && this.foreignWrites) {
      clearInterval(this.foreignWrites.timer);
      this.foreignWrites = undefined;
    }
  }

  private keep(collection: string, records: readonly ConflictRecord[]): number {
    return records.reduce((added, record) => added + this.statements.recordConflict.run(collection, ...conflictValues(record)).changes, 0);
  }

  async recordConflicts(collection: string, records: readonly ConflictRecord[]): Promise<number> {
    return this.db.transaction(() => this.keep(collection, records)).immediate();
  }

  async conflicts(collection: string, query: ConflictsQuery): Promise<ConflictsPage> {
    const rows = this.statements.conflicts.all(collection, query.before ?? Number.MAX_SAFE_INTEGER, query.limit + 1) as ConflictRow[];
    return toConflictsPage(rows, query.limit);
  }

  async getConflict(collection: string, conflictId: string): Promise<StoredConflict | null> {
    const row = this.statements.conflict.get(collection, conflictId) as ConflictRow | undefined;
    return row ? toStoredConflict(row) : null;
  }

  async purgeConflicts(collection: string, decidedBefore: string): Promise<number> {
    return this.statements.purgeConflicts.run(collection, decidedBefore).changes;
  }

  async getCheckpoint(key: string): Promise<string | null> {
    return (this.statements.getCheckpoint.get(key) as string | undefined) ?? null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    this.statements.setCheckpoint.run(key, value);
  }

  async close(): Promise<void> {
    if (this.foreignWrites) clearInterval(this.foreignWrites.timer);
    this.foreignWrites = undefined;
    if (this.db.open) this.db.close();
  }
}
