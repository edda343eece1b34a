import { decodeCursor, encodeCursor } from '../protocol/cursor.js';
import type { SyncLog, VersionWithData } from '../protocol/types.js';
import type { Store, StoredItem } from '../store/store.js';
import { toWrite } from '../store/rules.js';
import { readWhenChanged } from '../store/watch.js';
import type { ApplyResult, LogPage, Replica, ReplicaApplyOptions, ReplicaEntry } from './replica.js';

/** A local store as a replica: one collection of any `Store`, its checkpoints being cursors of that store. */
export class StoreReplica implements Replica {
  readonly description: string;
  readonly peer: string;

  constructor(
    readonly store: Store,
    readonly collection: string,
    private readonly pageSize = 1000,
  ) {
    this.description = `local store ${store.id} (${collection})`;
    this.peer = `store:${store.id}`;
  }

  async *changes(since: string | null): AsyncGenerator<LogPage> {
    let { seq: after, expired: restarted } = await this.resume(since);
    for (;;) {
      const page = await this.store.changes(this.collection, { after, limit: this.pageSize, withData: true });
      yield { entries: page.entries, checkpoint: this.cursor(page.checkpoint), restarted };
      restarted = false;
      if (!page.hasMore) return;
      after = page.checkpoint;
    }
  }

  async data(entries: readonly ReplicaEntry[]): Promise<Map<string, VersionWithData>> {
    const items = await this.store.getItems(
      this.collection,
      entries.map((entry) => entry.itemId),
    );
    return new Map(items.map((item) => [item.itemId, version(item)]));
  }

  async apply(log: SyncLog, options: ReplicaApplyOptions = {}): Promise<ApplyResult> {
    const since = log.since === undefined ? undefined : (await this.resume(log.since)).seq;
    const writes = log.entries.map((entry) => toWrite(entry, since));
    const outcome = await this.store.apply(this.collection, writes, {
      ...(since === undefined ? {} : { since }),
      ...(options.conflicts?.length ? { conflicts: options.conflicts } : {}),
    });
    if (!outcome.ok) {
      return {
        ok: false,
        conflicts: outcome.mismatches.map((c) => ({ itemId: c.itemId, expected: c.expected, actual: c.actual, current: c.current && version(c.current) })),
      };
    }
    return { ok: true, applied: outcome.applied, checkpoint: this.cursor(outcome.checkpoint) };
  }

  async waitForChange(since: string, seconds: number, signal: AbortSignal): Promise<boolean> {
    const { seq: after, expired } = await this.resume(since);
    if (expired) return true;
    const read = () => this.store.changes(this.collection, { after, limit: 1, withData: false });
    const page = await readWhenChanged(this.store, this.collection, read, (p) => p.entries.length > 0, { ms: seconds * 1000, signal });
    return page.entries.length > 0;
  }

  private cursor(seq: number): string {
    return encodeCursor({ storeId: this.store.id, seq });
  }

  /**
   * The seq a checkpoint names; 0 (the whole log) when it belongs to another store (the
   * database was replaced) or lies below the tombstone horizon: a full resync, not a failure.
   */
  private async resume(checkpoint: string | null): Promise<{ seq: number; expired: boolean }> {
    if (checkpoint === null) return { seq: 0, expired: false };
    let cursor;
    try {
      cursor = decodeCursor(checkpoint);
    } catch {
      return { seq: 0, expired: true };
    }
    if (cursor.storeId !== this.store.id || cursor.seq < (await this.store.horizon(this.collection))) return { seq: 0, expired: true };
    return { seq: cursor.seq, expired: false };
  }
}

function version(item: StoredItem): VersionWithData {
  return { updatedAt: item.updatedAt, fingerprint: item.fingerprint, deleted: item.deleted, data: item.data };
}
