import { laterOf, toIso } from '../protocol/time.js';
import type { Conflict, StoredItem, Write } from './store.js';

/**
 * The rules every store applies to one write, inside its transaction. Kept here so memory,
 * SQLite and PostgreSQL agree by construction; only the storage differs.
 */
export type Decision =
  | { kind: 'noop' }
  | { kind: 'conflict'; conflict: Conflict }
  | { kind: 'write'; updatedAt: string };

export function decide(current: StoredItem | null, write: Write, now: Date): Decision {
  // Same version already here: harmless, and checked before the precondition so a retried
  // sync log that had in fact committed answers 200 again rather than 409.
  if (current && current.fingerprint === write.fingerprint && current.deleted === write.deleted) {
    return { kind: 'noop' };
  }
  // Deleting what never existed records nothing.
  if (!current && write.deleted && write.updatedAt === null) return { kind: 'noop' };

  const refused = refusal(current, write);
  if (refused) return { kind: 'conflict', conflict: refused };

  const updatedAt = write.updatedAt ?? (current ? laterOf(toIso(now), current.updatedAt) : toIso(now));
  return { kind: 'write', updatedAt };
}

function refusal(current: StoredItem | null, write: Write): Conflict | null {
  const p = write.precondition;
  const actual = current ? current.fingerprint : null;
  const conflict = (expected: string | null): Conflict => ({ itemId: write.itemId, expected, actual, current });
  switch (p.kind) {
    case 'none':
      return null;
    case 'base':
      return actual === p.fingerprint ? null : conflict(p.fingerprint);
    case 'exists':
      return current ? null : conflict(null);
    case 'unchanged-since':
      return !current || current.seq <= p.seq ? null : conflict(null);
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
