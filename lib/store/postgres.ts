import pg from 'pg';
import { ChangeFeed } from './feed.js';
import { CHANNEL, notification, PgListener } from './pg-listener.js';
import type { ConflictRecord, StoredConflict } from '../protocol/conflicts.js';
import { toConflictsPage, toStoredConflict, type ConflictRow } from './conflict-rows.js';
import { conflictSql, conflictsPageSql, keepConflicts, purgeConflictsSql } from './postgres-conflicts.js';
import { createSchema, inTransaction, joinSql, openPool, placementsSql } from './postgres-schema.js';
import { planApply } from './rules.js';
import { entryData, ITEM_COLUMNS, inRequestedOrder, itemValues, toEntry, toPage, toPlacement, toStoredItem, type ItemRow, type MembershipRow } from './rows.js';
import { changeOf, grantChannels, isUnscoped, listsRemovals, mergePlacements, toScopedPage, type Membership } from './scopes.js';
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

const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/**
 * The scale-out store: several server processes may share one database and behave as one node.
 *
 * The node's seq lives in one counter row (`node.seq`), and every write transaction starts by
 * locking that row. Writers therefore run one after another, and seq order is commit order: a
 * reader's snapshot that holds seq n holds every seq below it. A SEQUENCE would not do: seqs
 * taken by concurrent transactions commit out of order, so a reader could pass seq 6 while 5
 * is still uncommitted and skip 5 forever. Holding the lock from before the preconditions are
 * read until commit is also what makes optimistic locking hold across processes.
 */
export class PostgresStore implements Store {
  private readonly feed = new ChangeFeed();
  /** The connection that LISTENs, opened by the first watch and kept until close. */
  private readonly listener: PgListener;

  private constructor(
    readonly id: string,
    private readonly pool: pg.Pool,
    /** The quoted schema name, to qualify every table (search_path is not reliable behind a pooler). */
    private readonly s: string,
    private readonly name: string,
    connectionString: string,
  ) {
    this.listener = new PgListener({
      connectionString,
      onNotify: (schema, collection, change) => {
        if (schema === this.s) this.feed.emit(collection, change);
      },
      onGap: () => this.feed.emitAll(),
      wanted: () => this.feed.watched,
    });
  }

  /**
   * Connects to `url` (its `schema` search parameter, default `public`, names the schema the
   * tables live in), creates the tables on first use and reads the store id.
   */
  static async open(url: string): Promise<PostgresStore> {
    let target: URL;
    try {
      target = new URL(url);
    } catch (error) {
      throw new StoreUnavailable('postgres', error);
    }
    const schema = target.searchParams.get('schema') ?? 'public';
    target.searchParams.delete('schema');
    const shown = new URL(target);
    shown.password = '';
    const name = shown.toString();
    if (!SCHEMA_NAME.test(schema)) throw new StoreUnavailable(name, new Error(`"${schema}" is not a plain schema name`));
    const pool = openPool(target.toString());
    const s = `"${schema}"`;
    try {
      const id = await createSchema(pool, schema, s);
      return new PostgresStore(id, pool, s, name, target.toString());
    } catch (error) {
      await pool.end().catch(() => {});
      throw new StoreUnavailable(name, error);
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, values: unknown[] = []): Promise<R[]> {
    try {
      return (await this.pool.query<R>(sql, values)).rows;
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  /** Connection failures become StoreUnavailable; SQL errors are bugs and stay as they are. */
  private unavailable(error: unknown): unknown {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : '';
    const lost =
      code === undefined ? /connect|terminat|timeout|not queryable/i.test(message) : code.startsWith('08') || code.startsWith('57P') || /^E[A-Z]+$/.test(code);
    return lost && error instanceof Error ? new StoreUnavailable(this.name, error) : error;
  }

  private async transaction<T>(fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    try {
      return await inTransaction(this.pool, fn, begin);
    } catch (error) {
      throw this.unavailable(error);
    }
  }

  async getItem(collection: string, itemId: string): Promise<StoredItem | null> {
    const rows = await this.query<ItemRow>(`SELECT ${ITEM_COLUMNS} FROM ${this.s}.items WHERE collection = $1 AND item_id = $2`, [collection, itemId]);
    return rows[0] ? toStoredItem(rows[0]) : null;
  }

  async getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]> {
    return inRequestedOrder(await this.readItems(this.pool, collection, itemIds), itemIds);
  }

  private async readItems(on: pg.Pool | pg.PoolClient, collection: string, itemIds: readonly string[]): Promise<ItemRow[]> {
    const sql = `SELECT ${ITEM_COLUMNS} FROM ${this.s}.items WHERE collection = $1 AND item_id = ANY($2::text[])`;
    return (await on.query<ItemRow>(sql, [collection, itemIds])).rows;
  }

  changes(collection: string, query: ChangesQuery & { channels?: undefined }): Promise<ChangesPage>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>>;
  async changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>> {
    const after = query.after ?? 0;
    // One snapshot for the page and the high water, so the checkpoint never passes a change
    // the page did not show.
    return this.transaction(async (client) => {
      const node = await client.query(`SELECT seq FROM ${this.s}.node`);
      const highWater = Number(node.rows[0].seq);
      if (isUnscoped(query.channels)) {
        const page = await client.query<ItemRow>(
          `SELECT ${ITEM_COLUMNS} FROM ${this.s}.items
           WHERE collection = $1 AND seq > $2 AND ($3::text IS NULL OR recorded_at >= $3) ORDER BY seq LIMIT $4`,
          [collection, after, query.recordedSince ?? null, query.limit + 1],
        );
        return toPage(page.rows, query.limit, entryData(query), after, highWater);
      }
      const grant = grantChannels(query.channels);
      // Each granted channel's first places, merged (lib/store/scopes.ts).
      const { rows } = await client.query<MembershipRow>(placementsSql(this.s), [
        collection,
        grant,
        after,
        query.recordedSince ?? null,
        listsRemovals(query),
        query.limit + 1,
      ]);
      const placements = mergePlacements([rows.map(toPlacement)], query.limit + 1);
      const ids = placements.filter((p) => p.member).map((p) => p.itemId);
      const entries = new Map((await this.readItems(client, collection, ids)).map((row) => [row.item_id, toEntry(row, entryData(query))]));
      return toScopedPage(placements, entries, query.limit, after, highWater);
    }, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  async apply(collection: string, writes: readonly Write[], options: ApplyOptions = {}): Promise<ApplyOutcome> {
    return this.transaction(async (client) => {
      // The counter lock first (see the class comment); READ COMMITTED then shows every
      // write committed before we got it.
      const highWater = await this.lockCounter(client);
      const rows = await this.readItems(
        client,
        collection,
        writes.map((w) => w.itemId),
      );
      const plan = planApply(new Map(rows.map((row) => [row.item_id, toStoredItem(row)])), writes, highWater, options);
      if (!plan.ok) return plan;
      // One row per item (the last write wins): ON CONFLICT may touch a row only once per statement.
      const last = [...new Map(plan.rows.map((row) => [row.itemId, row])).values()];
      if (last.length > 0) {
        const values = last.map((row) => itemValues(row, plan.dataJson.get(row)));
        await client.query(
          `INSERT INTO ${this.s}.items (collection, ${ITEM_COLUMNS})
           SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::bigint[], $8::text[], $9::text[])
           ON CONFLICT (collection, item_id) DO UPDATE SET updated_at = excluded.updated_at, fingerprint = excluded.fingerprint,
             deleted = excluded.deleted, data = excluded.data, seq = excluded.seq, recorded_at = excluded.recorded_at, channels = excluded.channels`,
          [collection, ...[0, 1, 2, 3, 4, 5, 6, 7].map((i) => values.map((v) => v[i]))],
        );
        await this.join(client, collection, plan.memberships);
        await client.query(`UPDATE ${this.s}.node SET seq = $1`, [plan.highWater]);
        // Delivered at commit, to every process LISTENing on this database (see watch).
        await client.query('SELECT pg_notify($1, $2)', [CHANNEL, notification(this.s, collection, changeOf(plan.memberships))]);
      }
      await keepConflicts(client, this.s, collection, options.conflicts ?? []);
      if (options.restoring) {
        await client.query(`UPDATE ${this.s}.conflicts SET restored_side = $1, restored_at = $2 WHERE collection = $3 AND conflict_id = $4`, [
          options.restoring.side,
          plan.recordedAt,
          collection,
          options.restoring.conflictId,
        ]);
      }
      return structuredClone({ ok: true as const, applied: plan.applied, checkpoint: plan.checkpoint, items: plan.items, existed: plan.existed });
    });
  }

  /** Writes an apply's memberships (lib/store/scopes.ts); one row per (channel, item), as planned. */
  private async join(client: pg.PoolClient, collection: string, memberships: readonly Membership[]): Promise<void> {
    if (memberships.length === 0) return;
    await client.query(joinSql(this.s), [
      collection,
      memberships.map((m) => m.channel),
      memberships.map((m) => m.itemId),
      memberships.map((m) => m.seq),
      memberships.map((m) => m.member),
      memberships.map((m) => m.recordedAt),
    ]);
  }

  private async lockCounter(client: pg.PoolClient): Promise<number> {
    const { rows } = await client.query(`SELECT seq FROM ${this.s}.node FOR UPDATE`);
    return Number(rows[0].seq);
  }

  async highWater(): Promise<number> {
    const rows = await this.query(`SELECT seq FROM ${this.s}.node`);
    return Number(rows[0]!.seq);
  }

  async collections(): Promise<string[]> {
    // COLLATE "C": byte order, as the other stores sort.
    const rows = await this.query<{ collection: string }>(
      `SELECT collection FROM (SELECT collection FROM ${this.s}.items UNION SELECT collection FROM ${this.s}.conflicts) AS named ORDER BY collection COLLATE "C"`,
    );
    return rows.map((row) => row.collection);
  }

  async drop(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number> {
    if (itemIds.length === 0) return 0;
    return this.transaction(async (client) => {
      // Serialized with writers: an item written after unchangedSince is never dropped by a race.
      await this.lockCounter(client);
      const { rows } = await client.query(`DELETE FROM ${this.s}.items WHERE collection = $1 AND item_id = ANY($2::text[]) AND seq <= $3 RETURNING item_id`, [
        collection,
        [...itemIds],
        unchangedSince,
      ]);
      const dropped = rows.map((row) => row.item_id as string);
      if (dropped.length > 0)
        await client.query(`DELETE FROM ${this.s}.memberships WHERE collection = $1 AND item_id = ANY($2::text[])`, [collection, dropped]);
      return dropped.length;
    });
  }

  async purgeTombstones(collection: string, recordedBefore: string): Promise<number> {
    return this.transaction(async (client) => {
      // Serialized with writers, so no apply decides on a tombstone this purge is removing.
      await this.lockCounter(client);
      const { rows } = await client.query(
        `DELETE FROM ${this.s}.items WHERE collection = $1 AND deleted AND recorded_at < $2 RETURNING seq, item_id, channels`,
        [collection, recordedBefore],
      );
      // The purged tombstones' memberships, and the removals recorded before the same time (see Store.purgeTombstones).
      const gone = rows.flatMap((row) => (JSON.parse(row.channels) as string[]).map((channel) => [channel, row.item_id as string]));
      await client.query(`DELETE FROM ${this.s}.memberships WHERE collection = $1 AND (channel, item_id) IN (SELECT * FROM unnest($2::text[], $3::text[]))`, [
        collection,
        gone.map(([channel]) => channel),
        gone.map(([, itemId]) => itemId),
      ]);
      const left = await client.query(`DELETE FROM ${this.s}.memberships WHERE collection = $1 AND NOT member AND recorded_at < $2 RETURNING seq`, [
        collection,
        recordedBefore,
      ]);
      const seqs = [...rows, ...left.rows].map((row) => Number(row.seq));
      if (seqs.length === 0) return 0;
      await client.query(
        `INSERT INTO ${this.s}.horizons (collection, seq) VALUES ($1, $2)
         ON CONFLICT (collection) DO UPDATE SET seq = GREATEST(${this.s}.horizons.seq, excluded.seq)`,
        [collection, seqs.reduce((a, b) => Math.max(a, b))],
      );
      return rows.length;
    });
  }

  async horizon(collection: string): Promise<number> {
    const rows = await this.query(`SELECT seq FROM ${this.s}.horizons WHERE collection = $1`, [collection]);
    return rows[0] ? Number(rows[0].seq) : 0;
  }

  /** Told by NOTIFY, so a write by any process sharing the database wakes this one's watchers. */
  async watch(collection: string, listener: (change: Change) => void): Promise<() => void> {
    const off = this.feed.on(collection, listener);
    try {
      await this.listener.listen();
    } catch (error) {
      off();
      throw this.unavailable(error);
    }
    return off;
  }

  async recordConflicts(collection: string, records: readonly ConflictRecord[]): Promise<number> {
    return this.transaction((client) => keepConflicts(client, this.s, collection, records));
  }

  async conflicts(collection: string, query: ConflictsQuery): Promise<ConflictsPage> {
    const rows = await this.query<ConflictRow>(conflictsPageSql(this.s), [collection, query.before ?? null, query.limit + 1]);
    return toConflictsPage(rows, query.limit);
  }

  async getConflict(collection: string, conflictId: string): Promise<StoredConflict | null> {
    const rows = await this.query<ConflictRow>(conflictSql(this.s), [collection, conflictId]);
    return rows[0] ? toStoredConflict(rows[0]) : null;
  }

  async purgeConflicts(collection: string, decidedBefore: string): Promise<number> {
    return (await this.query(purgeConflictsSql(this.s), [collection, decidedBefore])).length;
  }

  async getCheckpoint(key: string): Promise<string | null> {
    const rows = await this.query(`SELECT value FROM ${this.s}.checkpoints WHERE key = $1`, [key]);
    return rows[0] ? (rows[0].value as string) : null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    await this.query(`INSERT INTO ${this.s}.checkpoints (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, [key, value]);
  }

  async close(): Promise<void> {
    await this.listener.close();
    if (!this.pool.ended) await this.pool.end();
  }
}
