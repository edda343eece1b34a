import { laterOf, toIso } from '../protocol/time.js';
import { channelsOfWrite, membershipChanges, type Membership } from './scopes.js';
import type { ApplyOptions, PreconditionMismatch, StoredItem, Write } from './store.js';

/**
 * The rules every store applies to one write, inside its transaction. Kept here so memory,
 * SQLite and PostgreSQL agree by construction; only the storage differs.
 */
export type WriteCheck = { kind: 'noop' } | { kind: 'mismatch'; mismatch: PreconditionMismatch } | { kind: 'write'; updatedAt: string };

export function checkWrite(current: StoredItem | null, write: Write, now: Date): WriteCheck {
  const refused = refusal(current, write);
  if (refused && write.preconditionFirst) return { kind: 'mismatch', mismatch: refused };
  // Same version already here: harmless, and checked before the precondition so a retried
  // sync log that had in fact committed answers 200 again rather than 409.
  if (current && current.fingerprint === write.fingerprint && current.deleted === write.deleted) {
    return { kind: 'noop' };
  }
  // Deleting what never existed records nothing.
  if (!current && write.deleted && write.updatedAt === null) return { kind: 'noop' };

  if (refused) return { kind: 'mismatch', mismatch: refused };

  const updatedAt = write.updatedAt ?? (current ? laterOf(toIso(now), current.updatedAt) : toIso(now));
  return { kind: 'write', updatedAt };
}

function refusal(current: StoredItem | null, write: Write): PreconditionMismatch | null {
  const p = write.precondition;
  const actual = current ? current.fingerprint : null;
  const mismatch = (expected: string | null): PreconditionMismatch => ({ itemId: write.itemId, expected, actual, current });
  switch (p.kind) {
    case 'none':
      return null;
    case 'base':
      return actual === p.fingerprint ? null : mismatch(p.fingerprint);
    case 'exists':
      return current ? null : mismatch(null);
    case 'unchanged-since':
      return !current || current.seq <= p.seq ? null : mismatch(null);
  }
}

/**
 * The checkpoint an apply answers: right after its own writes when the node recorded nothing
 * after `since` but them; `since` itself when someone else wrote meanwhile (never a cursor
 * that skips another writer's change); without `since`, the high water before the apply.
 */
export function checkpointAfterApply(since: number | undefined, highWaterBefore: number, highWaterAfter: number): number {
  if (since === undefined) return highWaterBefore;
  return highWaterBefore <= since ? highWaterAfter : since;
}

/** What one apply will do, worked out before any row is touched. */
export type Plan =
  | { ok: false; mismatches: PreconditionMismatch[]; forbidden?: number[] }
  | {
      ok: true;
      applied: number;
      /** The rows to write, in order, each with its new seq; an item written twice appears twice, last one wins. */
      rows: StoredItem[];
      /** The node's high water once the rows are written. */
      highWater: number;
      checkpoint: number;
      /** The item as it stands after the apply, one per write, in the writes' order. */
      items: StoredItem[];
      /** Whether each write's item existed when the apply began. */
      existed: boolean[];
      /** When this node records the apply (its rows' recordedAt, and a restored conflict's restoredAt). */
      recordedAt: string;
      /** The memberships to write (lib/store/scopes.ts): the channels each written item had or has. */
      memberships: Membership[];
      /** The canonical text of the rows whose write carried it (Write.dataJson), for stores that keep text. */
      dataJson: ReadonlyMap<StoredItem, string>;
    };

/**
 * Plans an apply from the items as they stand (`current`, by itemId, read inside the store's
 * transaction) and the node's high water. Every write is decided against the state before the
 * apply, so the outcome does not depend on the order of the writes; the store then writes
 * `rows` and moves its counter to `highWater`, or writes nothing when the plan is not ok.
 */
export function planApply(current: ReadonlyMap<string, StoredItem>, writes: readonly Write[], highWaterBefore: number, options: ApplyOptions = {}): Plan {
  const now = (options.now ?? (() => new Date()))();
  const authorize = options.authorize;
  if (authorize) {
    const forbidden = writes.flatMap((write, i) => {
      const item = current.get(write.itemId) ?? null;
      return authorize(item, channelsOfWrite(item, write), write) ? [] : [i];
    });
    if (forbidden.length > 0) return { ok: false, mismatches: [], forbidden };
  }
  const checks = writes.map((write) => checkWrite(current.get(write.itemId) ?? null, write, now));
  const mismatches = checks.flatMap((c) => (c.kind === 'mismatch' ? [c.mismatch] : []));
  if (mismatches.length > 0) return { ok: false, mismatches };

  const recordedAt = toIso(now);
  const after = new Map(current);
  const rows: StoredItem[] = [];
  const dataJson = new Map<StoredItem, string>();
  let seq = highWaterBefore;
  writes.forEach((write, i) => {
    const check = checks[i]!;
    if (check.kind !== 'write') return;
    // Against the version written just before in this apply, if any: that is what a deletion deletes.
    const channels = channelsOfWrite(after.get(write.itemId), write);
    const row: StoredItem = {
      itemId: write.itemId,
      updatedAt: check.updatedAt,
      fingerprint: write.fingerprint,
      deleted: write.deleted,
      data: write.deleted ? null : write.data,
      seq: ++seq,
      recordedAt,
      channels,
    };
    rows.push(row);
    if (write.dataJson !== undefined && !write.deleted) dataJson.set(row, write.dataJson);
    after.set(write.itemId, row);
  });
  return {
    ok: true,
    applied: rows.length,
    rows,
    highWater: seq,
    checkpoint: checkpointAfterApply(options.since, highWaterBefore, seq),
    items: writes.map((write) => after.get(write.itemId)!),
    existed: writes.map((write) => current.has(write.itemId)),
    recordedAt,
    memberships: membershipChanges(current, rows),
    dataJson,
  };
}
