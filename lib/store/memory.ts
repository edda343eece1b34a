import { ChangeFeed } from './feed.js';
import type { ConflictRecord, StoredConflict } from '../protocol/conflicts.js';
import { planApply } from './rules.js';
import { changeOf, grantChannels, isUnscoped, listsRemovals, type Membership, type Placement } from './scopes.js';
import type {
  ApplyOptions,
  ApplyOutcome,
  Change,
  ChangesPage,
  ChangesQuery,
  ConflictsPage,
  ConflictsQuery,
  StoredEntry,
  StoredItem,
  StoredRemoval,
  Store,
  Write,
} from './store.js';

/** A store in process memory: for tests and throwaway nodes. Nothing survives a restart. */
export class MemoryStore implements Store {
  // The global Web Crypto (Node and browsers alike), so the memory store bundles for a page.
  readonly id = crypto.randomUUID();
  private seq = 0;
  private readonly byCollection = new Map<string, Map<string, StoredItem>>();
  /** Memberships (lib/store/scopes.ts) by collection, then item, then channel. */
  private readonly memberships = new Map<string, Map<string, Map<string, Membership>>>();
  private readonly horizons = new Map<string, number>();
  private readonly checkpoints = new Map<string, string>();
  private readonly feed = new ChangeFeed();
  /** Conflict records by collection, then conflictId; positions count across collections. */
  private readonly audits = new Map<string, Map<string, StoredConflict>>();
  private position = 0;

  private items(collection: string): Map<string, StoredItem> {
    let items = this.byCollection.get(collection);
    if (!items) this.byCollection.set(collection, (items = new Map()));
    return items;
  }

  async getItem(collection: string, itemId: string): Promise<StoredItem | null> {
    const item = this.items(collection).get(itemId);
    return item ? structuredClone(item) : null;
  }

  async getItems(collection: string, itemIds: readonly string[]): Promise<StoredItem[]> {
    const items = this.items(collection);
    return itemIds.flatMap((id) => {
      const item = items.get(id);
      return item ? [structuredClone(item)] : [];
    });
  }

  changes(collection: string, query: ChangesQuery & { channels?: undefined }): Promise<ChangesPage>;
  changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>>;
  async changes(collection: string, query: ChangesQuery): Promise<ChangesPage<StoredEntry | StoredRemoval>> {
    const after = query.after ?? 0;
    const items = this.items(collection);
    const places = isUnscoped(query.channels)
      ? [...items.values()].map((item): Placement => ({ itemId: item.itemId, seq: item.seq, member: true, recordedAt: item.recordedAt }))
      : this.placements(collection, query.channels, listsRemovals(query));
    const matching = places
      .filter((p) => p.seq > after && (query.recordedSince === undefined || p.recordedAt >= query.recordedSince))
      .sort((a, b) => a.seq - b.seq);
    const page = matching.slice(0, query.limit);
    const hasMore = matching.length > page.length;
    const entries = page.map((p): StoredEntry | StoredRemoval => {
      if (!p.member) return { itemId: p.itemId, removed: true, seq: p.seq, recordedAt: p.recordedAt };
      const entry: StoredEntry = structuredClone(items.get(p.itemId)!);
      if (!query.withData) delete entry.data;
      return entry;
    });
    const checkpoint = hasMore ? page[page.length - 1]!.seq : Math.max(this.seq, after);
    return { entries, hasMore, checkpoint };
  }

  /** Each item's place in the log of `grant` (lib/store/scopes.ts), found the slow way: by looking at every item. */
  private placements(collection: string, grant: readonly string[], removals: boolean): Placement[] {
    const channels = grantChannels(grant);
    const places: Placement[] = [];
    for (const held of this.memberships.get(collection)?.values() ?? []) {
      const granted = channels.flatMap((channel) => held.get(channel) ?? []);
      if (granted.length === 0) continue;
      const place = granted.find((m) => m.member) ?? granted.reduce((a, b) => (b.seq > a.seq ? b : a));
      if (place.member || removals) places.push(place);
    }
    return places;
  }

  async apply(collection: string, writes: readonly Write[], options: ApplyOptions = {}): Promise<ApplyOutcome> {
    const items = this.items(collection);
    const plan = planApply(items, writes, this.seq, options);
    if (!plan.ok) return structuredClone(plan);
    for (const row of plan.rows) items.set(row.itemId, structuredClone(row));
    this.join(collection, plan.memberships);
    this.seq = plan.highWater;
    this.keep(collection, options.conflicts ?? []);
    const restored = options.restoring && this.audit(collection).get(options.restoring.conflictId);
    if (restored) restored.restored = { side: options.restoring!.side, restoredAt: plan.recordedAt };
    if (plan.rows.length > 0) this.feed.emit(collection, changeOf(plan.memberships));
    return structuredClone({ ok: true, applied: plan.applied, checkpoint: plan.checkpoint, items: plan.items, existed: plan.existed });
  }

  private join(collection: string, memberships: readonly Membership[]): void {
    let byItem = this.memberships.get(collection);
    if (!byItem) this.memberships.set(collection, (byItem = new Map()));
    for (const m of memberships) {
      let held = byItem.get(m.itemId);
      if (!held) byItem.set(m.itemId, (held = new Map()));
      held.set(m.channel, { ...m });
    }
  }

  async highWater(): Promise<number> {
    return this.seq;
  }

  async collections(): Promise<string[]> {
    // Reads create empty maps on the way: only those holding something count.
    const names = new Set<string>();
    for (const [name, items] of this.byCollection) if (items.size > 0) names.add(name);
    for (const [name, audit] of this.audits) if (audit.size > 0) names.add(name);
    return [...names].sort();
  }

  async drop(collection: string, itemIds: readonly string[], unchangedSince: number): Promise<number> {
    const items = this.items(collection);
    let dropped = 0;
    for (const itemId of itemIds) {
      const item = items.get(itemId);
      if (!item || item.seq > unchangedSince) continue;
      items.delete(itemId);
      this.memberships.get(collection)?.delete(itemId);
      dropped++;
    }
    return dropped;
  }

  async purgeTombstones(collection: string, recordedBefore: string): Promise<number> {
    const items = this.items(collection);
    const byItem = this.memberships.get(collection);
    let purged = 0;
    let horizon = this.horizons.get(collection) ?? 0;
    for (const [id, item] of items) {
      if (item.deleted && item.recordedAt < recordedBefore) {
        items.delete(id);
        // Its memberships now; those of channels it left earlier go by their own time, below.
        for (const channel of item.channels) byItem?.get(id)?.delete(channel);
        horizon = Math.max(horizon, item.seq);
        purged++;
      }
    }
    // A removal a cursor below the horizon would need is no longer kept: such cursors expire.
    for (const [id, held] of byItem ?? []) {
      for (const [channel, m] of held) {
        if (m.member || m.recordedAt >= recordedBefore) continue;
        held.delete(channel);
        horizon = Math.max(horizon, m.seq);
      }
      if (held.size === 0) byItem!.delete(id);
    }
    this.horizons.set(collection, horizon);
    return purged;
  }

  async horizon(collection: string): Promise<number> {
    return this.horizons.get(collection) ?? 0;
  }

  async watch(collection: string, listener: (change: Change) => void): Promise<() => void> {
    return this.feed.on(collection, listener);
  }

  private audit(collection: string): Map<string, StoredConflict> {
    let audit = this.audits.get(collection);
    if (!audit) this.audits.set(collection, (audit = new Map()));
    return audit;
  }

  private keep(collection: string, records: readonly ConflictRecord[]): number {
    const audit = this.audit(collection);
    let added = 0;
    for (const record of records) {
      if (audit.has(record.conflictId)) continue;
      audit.set(record.conflictId, { ...structuredClone(record), position: ++this.position, restored: null });
      added++;
    }
    return added;
  }

  async recordConflicts(collection: string, records: readonly ConflictRecord[]): Promise<number> {
    return this.keep(collection, records);
  }

  async conflicts(collection: string, query: ConflictsQuery): Promise<ConflictsPage> {
    const before = query.before ?? Infinity;
    const matching = [...this.audit(collection).values()].filter((r) => r.position < before).sort((a, b) => b.position - a.position);
    return { records: structuredClone(matching.slice(0, query.limit)), hasMore: matching.length > query.limit };
  }

  async getConflict(collection: string, conflictId: string): Promise<StoredConflict | null> {
    const record = this.audit(collection).get(conflictId);
    return record ? structuredClone(record) : null;
  }

  async purgeConflicts(collection: string, decidedBefore: string): Promise<number> {
    const audit = this.audit(collection);
    let purged = 0;
    for (const [id, record] of audit) {
      if (record.decidedAt < decidedBefore) {
        audit.delete(id);
        purged++;
      }
    }
    return purged;
  }

  async getCheckpoint(key: string): Promise<string | null> {
    return this.checkpoints.get(key) ?? null;
  }

  async setCheckpoint(key: string, value: string): Promise<void> {
    this.checkpoints.set(key, value);
  }

  async close(): Promise<void> {}
}
