import { fingerprint } from '../protocol/fingerprint.js';
import type { ConflictRule } from '../protocol/conflicts.js';
import type { Item, Json, Version } from '../protocol/types.js';
import { sameVersion } from '../protocol/version.js';

/**
 * Step 2, per item: which side's version wins. Pure: no I/O, no clock, so every rule can be
 * tested on its own. "Changed since the last sync" means "listed by that side's log after its
 * checkpoint", so an item only one side lists is copied whatever the timestamps say.
 *
 * Between two changed versions (DESIGN §3): `updatedAt`s compare in skew buckets,
 * `floor(ms / skewMs)`, and the later bucket wins. In one bucket they are too close to call;
 * by default (`prefer: 'fingerprint'`) the greater fingerprint wins, a tombstone over a live
 * version when the fingerprints are equal. That is one total order on versions, the same
 * whichever side plays local, so any topology in any orientation converges. `prefer: 'local'`
 * or `'remote'` (or a resolver) decide in the bucket instead: safe only where each pair always
 * syncs in the same orientation (clients against one hub), since the winner then depends on
 * who plays local.
 */

export type Prefer = 'fingerprint' | 'local' | 'remote';
export const DEFAULT_PREFER: Prefer = 'fingerprint';
export const DEFAULT_SKEW_MS = 1000;
/** `merged`: a resolver returned a version neither side had; it goes to both. */
export type Winner = 'none' | 'local' | 'remote' | 'merged';
/**
 * `equal`: same fingerprint and deleted flag; `one-side`: only one log lists it; `newer`: both
 * changed it, the later bucket won; `fingerprint`: the same bucket, the greater fingerprint won;
 * `prefer-local`/`prefer-remote`: the same bucket, the configured side won; `resolve`: the same
 * bucket, the user's resolver decided. The last five are conflicts (a version lost): the
 * ConflictRule of the audit.
 */
export type Rule = 'equal' | 'one-side' | ConflictRule;

/** What a resolver returns: the data to keep, and whether it is a deletion. */
export interface Resolution {
  data: Json;
  deleted?: boolean;
}

/** Decides between two versions that are too close in time to call; it may merge them. */
export type Resolver = (local: Item, remote: Item) => Resolution | Promise<Resolution>;

export interface Policy {
  prefer: Prefer;
  skewMs: number;
  /** Whether a resolver will be asked inside the skew window (it needs both sides' data). */
  resolves: boolean;
}

export type Verdict = { winner: Exclude<Winner, 'merged'>; rule: Rule } | { winner: 'ask'; rule: 'resolve' };

/** Whether a rule decided between two changed versions, so one lost. */
export function isConflict(rule: Rule): rule is ConflictRule {
  return rule !== 'equal' && rule !== 'one-side';
}

export function decide(local: Version | undefined, remote: Version | undefined, policy: Policy): Verdict {
  if (local && remote && sameVersion(local, remote)) return { winner: 'none', rule: 'equal' };
  if (!remote) return { winner: local ? 'local' : 'none', rule: local ? 'one-side' : 'equal' };
  if (!local) return { winner: 'remote', rule: 'one-side' };
  const [l, r] = [bucket(local.updatedAt, policy.skewMs), bucket(remote.updatedAt, policy.skewMs)];
  if (l !== r) return { winner: l > r ? 'local' : 'remote', rule: 'newer' };
  if (policy.resolves) return { winner: 'ask', rule: 'resolve' };
  if (policy.prefer === 'local') return { winner: 'local', rule: 'prefer-local' };
  if (policy.prefer === 'remote') return { winner: 'remote', rule: 'prefer-remote' };
  return { winner: greater(local, remote) ? 'local' : 'remote', rule: 'fingerprint' };
}

/** The skew bucket of a timestamp: versions in one bucket are too close to call by time. */
export function bucket(updatedAt: string, skewMs: number): number {
  const ms = Date.parse(updatedAt);
  // A width of 0: every millisecond its own bucket.
  return skewMs > 0 ? Math.floor(ms / skewMs) : ms;
}

/** Whether `a` beats `b` in one bucket: the greater fingerprint (lowercase hex compares as text), then the tombstone. */
function greater(a: Version, b: Version): boolean {
  if (a.fingerprint !== b.fingerprint) return a.fingerprint > b.fingerprint;
  return a.deleted && !b.deleted;
}

/**
 * The version a resolver's answer stands for: one side's own version when it returned that
 * side's content, otherwise a new version stamped no earlier than either side's.
 */
export function resolved(local: Item, remote: Item, answer: Resolution, now: Date): { winner: Winner; version: Item } {
  const deleted = answer.deleted === true;
  const data = deleted ? null : answer.data;
  const print = fingerprint(data);
  const candidate = { fingerprint: print, deleted };
  if (sameVersion(candidate, remote)) return { winner: 'remote', version: remote };
  if (sameVersion(candidate, local)) return { winner: 'local', version: local };
  const latest = [now.toISOString(), local.updatedAt, remote.updatedAt].sort().at(-1)!;
  return { winner: 'merged', version: { itemId: local.itemId, updatedAt: latest, fingerprint: print, deleted, data } };
}
