import { sha1Hex } from './fingerprint.js';
import type { Version, VersionWithData } from './types.js';

/**
 * The conflict audit: every Step 2 decision in which a version lost (both sides had changed
 * the item to different versions), as the node that ran the sync records it. `local` is always
 * the recording node's side, `remote` its peer's.
 */

/** The rules that decide between two changed versions (the engine's `equal` and `one-side` never lose one). */
export type ConflictRule = 'newer' | 'fingerprint' | 'prefer-local' | 'prefer-remote' | 'resolve';
export const CONFLICT_RULES: readonly ConflictRule[] = ['newer', 'fingerprint', 'prefer-local', 'prefer-remote', 'resolve'];

export type Side = 'local' | 'remote';

/** One decision, as recorded (and as a sync client POSTs it to the node that played local). */
export interface ConflictRecord {
  /** Derived from the decision's content (see conflictId), so recording one twice keeps one. */
  conflictId: string;
  itemId: string;
  /** Who the recording node synced with: the peer's root URL, or `store:<id>` for a local store. */
  peer: string;
  rule: ConflictRule;
  /** `merged`: a resolver wrote a version neither side had, so both lost. */
  winner: Side | 'merged';
  decidedAt: string;
  local: VersionWithData;
  remote: VersionWithData;
  /** The version the decision left on both sides: what the item must still be for a plain restore. */
  result: Version;
}

/** A record as a store keeps it. */
export interface StoredConflict extends ConflictRecord {
  /** Its place in this store's audit: later records have higher positions. */
  position: number;
  restored: { side: Side; restoredAt: string } | null;
}

/**
 * The id of a decision: a UUID (version 5 layout) of the SHA-1 of what was decided, so the
 * same decision recorded again (a retried sync, a re-sent POST) is the same record.
 */
export function conflictId(collection: string, record: Omit<ConflictRecord, 'conflictId' | 'decidedAt'>): string {
  const version = (v: VersionWithData) => `${v.updatedAt} ${v.fingerprint} ${v.deleted}`;
  const text = [collection, record.itemId, record.peer, version(record.local), version(record.remote)].join('\n');
  const hex = sha1Hex(text);
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The sides whose version lost: the one that did not win, or both after a merge. */
export function losers(record: Pick<ConflictRecord, 'winner'>): Side[] {
  return record.winner === 'merged' ? ['local', 'remote'] : [record.winner === 'local' ? 'remote' : 'local'];
}
