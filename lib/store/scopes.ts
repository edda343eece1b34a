import { ALL_CHANNELS, visibleUnder } from '../protocol/channels.js';
import type { Change, ChangesPage, ChangesQuery, StoredEntry, StoredItem, StoredRemoval, Write } from './store.js';

/**
 * The scoped log's rules (DESIGN §7), shared by every store so they agree by construction.
 *
 * Beside its items a store keeps one **membership** per (collection, channel, item) the item
 * was ever in: `member` true while the item is in the channel, with the seq of the item's
 * latest change; false once it left, with the seq of the change that took it out. Each write
 * updates the memberships of the channels the item had before and has after, nothing else, so
 *   - a true membership's seq is always the item's own seq (every write of an item in a channel
 *     touches that channel);
 *   - an item's place in the log of a grant G is the highest seq among its memberships of G's
 *     channels: an entry when one of them is true (the item is visible), a removal otherwise.
 * That place only grows, as an item's seq does in the unscoped log, so the same cursor rules
 * hold: no skip, no repeat. And a channel's memberships ordered by seq are an index a reader of
 * that channel pages through (SQL: `memberships (collection, channel, seq)`), costing what its
 * entries cost, not what the collection holds: the 1,000,000 items over 10,000
 * channels read one channel's 100 through 100 index rows.
 */

/** One row of the memberships a store keeps (see above). */
export interface Membership {
  itemId: string;
  channel: string;
  seq: number;
  member: boolean;
  recordedAt: string;
}

/** Whether a grant reads the plain log: no grant at all, or one holding `*` (every item, never a removal). */
export function isUnscoped(grant: readonly string[] | undefined): grant is undefined {
  return grant === undefined || grant.includes(ALL_CHANNELS);
}

/** The distinct channels of a grant, in a stable order (a query is a union over them). */
export function grantChannels(grant: readonly string[]): string[] {
  return [...new Set(grant)].sort();
}

/** Whether a query is a reader's resumption (it lists removals) rather than a full read (only what is visible). */
export function listsRemovals(query: ChangesQuery): boolean {
  return (query.after ?? 0) > 0 || query.recordedSince !== undefined;
}

/**
 * The channels a write's version gets: those the write gives (as a set), or, for a deletion
 * that gives none, those of the version it deletes. A tombstone of an item this store never
 * had (or whose tombstone was purged) has none: only a `*` reader is shown it.
 */
export function channelsOfWrite(previous: StoredItem | null | undefined, write: Write): string[] {
  const given = [...new Set(write.channels ?? [])].sort();
  if (write.deleted && given.length === 0) return previous ? [...previous.channels] : [];
  return given;
}

/**
 * The memberships an apply changes, from the items before it and the rows it writes (an item
 * written twice counts once, with its last row: nobody can read the state between the two).
 */
export function membershipChanges(before: ReadonlyMap<string, StoredItem>, rows: readonly StoredItem[]): Membership[] {
  const last = new Map(rows.map((row) => [row.itemId, row]));
  const changes: Membership[] = [];
  for (const row of last.values()) {
    const at = { itemId: row.itemId, seq: row.seq, recordedAt: row.recordedAt };
    for (const channel of row.channels) changes.push({ ...at, channel, member: true });
    for (const channel of before.get(row.itemId)?.channels ?? []) {
      if (!row.channels.includes(channel)) changes.push({ ...at, channel, member: false });
    }
  }
  return changes;
}

/** What a watcher is told of an apply: every channel it touched, before or after. */
export function changeOf(memberships: readonly Membership[]): Change {
  return { channels: [...new Set(memberships.map((m) => m.channel))].sort() };
}

/**
 * Whether a change may show something to a reader holding `grant` (undefined: unscoped), so a
 * held scoped read wakes only for changes it can see. A change whose channels are unknown may.
 */
export function mayShow(change: Change, grant: readonly string[] | undefined): boolean {
  if (isUnscoped(grant) || change.channels === undefined) return true;
  return visibleUnder(change.channels, grant);
}

/** An item's place in a scoped log: the membership that decides it (see the module comment). */
export type Placement = Pick<Membership, 'itemId' | 'seq' | 'member' | 'recordedAt'>;

/**
 * The first `count` places of a scoped log, each item once, in seq order, from the first
 * `count` places of each granted channel. Enough: an item among the first `count` overall is
 * among the first `count` of a channel holding its place, since every item before it there is
 * before it overall. An item placed in several channels is placed at one seq in all of them.
 */
export function mergePlacements(perChannel: ReadonlyArray<readonly Placement[]>, count: number): Placement[] {
  const all = perChannel.flat().sort((a, b) => a.seq - b.seq);
  const seen = new Set<string>();
  const merged: Placement[] = [];
  for (const placement of all) {
    if (seen.has(placement.itemId)) continue;
    seen.add(placement.itemId);
    merged.push(placement);
    if (merged.length === count) break;
  }
  return merged;
}

/**
 * The page a scoped query answers from up to limit + 1 places and the entries of the visible
 * ones (by itemId), read in one snapshot together with the high water.
 */
export function toScopedPage(
  placements: readonly Placement[],
  entries: ReadonlyMap<string, StoredEntry>,
  limit: number,
  after: number,
  highWater: number,
): ChangesPage<StoredEntry | StoredRemoval> {
  const hasMore = placements.length > limit;
  const page = placements.slice(0, limit).map((p): StoredEntry | StoredRemoval => {
    if (!p.member) return { itemId: p.itemId, removed: true, seq: p.seq, recordedAt: p.recordedAt };
    const entry = entries.get(p.itemId);
    if (!entry) throw new Error(`item ${p.itemId} has a membership but no row`);
    return entry;
  });
  const checkpoint = hasMore ? page[page.length - 1]!.seq : Math.max(highWater, after);
  return { entries: page, hasMore, checkpoint };
}
