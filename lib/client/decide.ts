import { fingerprint } from '../protocol/fingerprint.js';
import type { ConflictRule } from '../protocol/conflicts.js';
import type { Item, Json, Version } from '../protocol/types.js';
import { sameVersion } from '../protocol/version.js';

/**
 * Step 2, per item: which side's version wins. Pure: no I/O, no clock, so every rule can be
 * tested on its own. "Changed since the last sync" means "listed by that side's log after its
 * checkpoint", so an item only one side lists is copied whatever the timestamps say.
 */

export type Prefer = 'local' | 'remote';
/** `merged`: a resolver returned a version neither side had; it goes to both. */
export type Winner = 'none' | 'local' | 'remote' | 'merged';
/**
 * `equal`: same fingerprint and deleted flag; `one-side`: only one log lists it; `newer`: both
 * changed it, the later updatedAt won; `prefer-local`/`prefer-remote`: too close to call, the
 * configured side won; `resolve`: too close to call, the user's resolver decided. The last four
 * are conflicts (a version lost): the ConflictRule of the audit.
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
  const difference = Date.parse(local.updatedAt) - Date.parse(remote.updatedAt);
  if (Math.abs(difference) > policy.skewMs) return { winner: difference > 0 ? 'local' : 'remote', rule: 'newer' };
  if (policy.resolves) return { winner: 'ask', rule: 'resolve' };
  return { winner: policy.prefer, rule: policy.prefer === 'local' ? 'prefer-local' : 'prefer-remote' };
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
