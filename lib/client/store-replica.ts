import { toWrite } from '../protocol/entry.js';
import type { SyncLog, VersionWithData } from '../protocol/types.js';
import { versionWithData } from '../protocol/version.js';
import type { Store } from '../store/store.js';
import { readWhenChanged } from '../store/watch.js';
import { resumeStoreCursor, storeCursor } from './checkpoints.js';
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
      yield { entries: page.entries, checkpoint: this.cursor(page.checkpoint), restarted, more: page.hasMore };
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
    return new Map(items.map((item) => [item.itemId, versionWithData(item)]));
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
        conflicts: outcome.mismatches.map((c) => ({
          itemId: c.itemId,
          expected: c.expected,
          actual: c.actual,
          current: c.current && versionWithData(c.current),
        })),
      };
    }
    return { ok: true, applied: outcome.applied, checkpoint: this.cursor(outcome.checkpoint) };
  }

  async drop(itemIds: readonly string[], since: string): Promise<number> {
    if (!this.store.drop || itemIds.length === 0) return 0;
    const { seq, expired } = await this.resume(since);
    return expired ? 0 : this.store.drop(this.collection, itemIds, seq);
  }

  async waitForChange(since: string, seconds: number, signal: AbortSignal): Promise<boolean> {
    const { seq: after, expired } = await this.resume(since);
    if (expired) return true;
    const read = () => this.store.changes(this.collection, { after, limit: 1, withData: false });
    const page = await readWhenChanged(this.store, this.collection, read, (p) => p.entries.length > 0, { ms: seconds * 1000, signal });
    return page.entries.length > 0;
  }

  private cursor(seq: number): string {
    return storeCursor(this.store, seq);
  }

  private resume(checkpoint: string | null): Promise<{ seq: number; expired: boolean }> {
    return resumeStoreCursor(this.store, this.collection, checkpoint);
  }
}
