import { conflictId, type ConflictRecord } from '../protocol/conflicts.js';
import type { Item, SyncEntry, VersionWithData } from '../protocol/types.js';
import { sameVersion, versionOf } from '../protocol/version.js';
import { decide, isConflict, resolved, type Policy, type Resolver, type Rule, type Verdict, type Winner } from './decide.js';
import type { ReplicaEntry } from './replica.js';
import type { Decision } from './report.js';

/**
 * Step 2 as data: from the two logs to what the sync will do, with no I/O of its own. `judge`
 * decides per item on the versions the logs showed and says whose data the sync needs;
 * `settle` (once that data is fetched) turns the verdicts into the plan: the pushes, the pulls,
 * the audit records and the report's decisions.
 */

/** One item as both logs showed it, and the verdict on it. */
export interface Judged {
  itemId: string;
  local: ReplicaEntry | undefined;
  remote: ReplicaEntry | undefined;
  verdict: Verdict;
}

export interface Judgement {
  judged: Judged[];
  /** Items only the local side listed in a full resync that it had not changed: the remote forgot them. */
  stale: string[];
  /** The versions whose data the plan needs, per side: the winners', and under audit the losers' too. */
  needLocal: ReplicaEntry[];
  needRemote: ReplicaEntry[];
}

export interface Plan {
  decisions: Decision[];
  /** Local items the remote forgot (see judge): dropped from a local store, kept and counted on a node. */
  stale: string[];
  /** To the remote side, as one sync log. */
  pushes: SyncEntry[];
  /** To the local side, in one transaction with the records. */
  pulls: SyncEntry[];
  /** The conflicts decided, recorded on the local side. */
  records: ConflictRecord[];
}

export interface SettleContext {
  collection: string;
  /** The remote side's name in the records (its root URL, or `store:<id>`). */
  peer: string;
  audit: boolean;
  resolve?: Resolver;
  /** When the decisions are made (records' decidedAt, a merge's updatedAt floor). */
  now: Date;
}

/**
 * `localChanged` (a full resync after the remote's checkpoint expired): what the local side
 * changed since its saved checkpoint. A local item outside it is one both sides agreed on: the
 * remote's version of it wins as a one-side change, and when the remote no longer lists it at
 * all, the remote forgot it (a purged tombstone, an item out of view): it is stale, not news.
 */
export function judge(
  local: ReadonlyMap<string, ReplicaEntry>,
  remote: ReadonlyMap<string, ReplicaEntry>,
  policy: Policy,
  audit: boolean,
  localChanged?: ReadonlySet<string>,
): Judgement {
  const ids = new Set([...local.keys(), ...remote.keys()]);
  const stale: string[] = [];
  const judged: Judged[] = [];
  for (const itemId of ids) {
    const l = local.get(itemId);
    const r = remote.get(itemId);
    const unchanged = l !== undefined && localChanged !== undefined && !localChanged.has(itemId);
    if (unchanged && !r) stale.push(itemId);
    else if (unchanged && !sameVersion(l, r!)) judged.push({ itemId, local: l, remote: r, verdict: { winner: 'remote', rule: 'one-side' } });
    else judged.push({ itemId, local: l, remote: r, verdict: decide(l, r, policy) });
  }
  // A conflict's record holds both versions, so under audit the loser's data is fetched too.
  const both = (j: Judged) => j.verdict.winner === 'ask' || (audit && isConflict(j.verdict.rule));
  return {
    judged,
    stale,
    needLocal: judged.filter((j) => j.verdict.winner === 'local' || both(j)).map((j) => j.local!),
    needRemote: judged.filter((j) => j.verdict.winner === 'remote' || both(j)).map((j) => j.remote!),
  };
}

/** The plan, given the data `judge` asked for (by itemId, per side). */
export async function settle(
  { judged, stale }: Pick<Judgement, 'judged' | 'stale'>,
  data: { local: ReadonlyMap<string, VersionWithData>; remote: ReadonlyMap<string, VersionWithData> },
  context: SettleContext,
): Promise<Plan> {
  const plan: Plan = { decisions: [], stale: [...stale], pushes: [], pulls: [], records: [] };
  for (const { itemId, local, remote, verdict } of judged) {
    let winner: Winner;
    let version: VersionWithData | undefined;
    if (verdict.winner === 'ask') {
      const [l, r] = [item(itemId, data.local.get(itemId)!), item(itemId, data.remote.get(itemId)!)];
      ({ winner, version } = resolved(l, r, await context.resolve!(l, r), context.now));
    } else {
      winner = verdict.winner;
      version = winner === 'local' ? data.local.get(itemId) : winner === 'remote' ? data.remote.get(itemId) : undefined;
    }
    const rule: Rule = verdict.rule;
    plan.decisions.push({ collection: context.collection, itemId, winner, rule });
    if (context.audit && isConflict(rule) && version && winner !== 'none') {
      const sides = { local: data.local.get(itemId)!, remote: data.remote.get(itemId)! };
      plan.records.push(conflictRecord(context, itemId, { rule, winner, version, ...sides }));
    }
    if (!version) continue;
    // Base: the fingerprint this side's log showed; none when its log did not list the item
    // (then `since` makes the precondition "nothing recorded about it after my read").
    if (winner === 'local' || winner === 'merged') plan.pushes.push(syncEntry(itemId, version, remote));
    if (winner === 'remote' || winner === 'merged') plan.pulls.push(syncEntry(itemId, version, local));
  }
  return plan;
}

/** The number of conflicts among the decisions: items both sides had changed to different versions. */
export function conflictCount(decisions: readonly Decision[]): number {
  return decisions.filter((d) => isConflict(d.rule)).length;
}

/** A sync log entry of one version; `seen` is what the receiving side's log listed, if anything. */
export function syncEntry(itemId: string, version: VersionWithData, seen: ReplicaEntry | undefined): SyncEntry {
  // A literal (see versionWithData): one of these is built for every version a sync moves.
  const entry: SyncEntry = {
    itemId,
    updatedAt: version.updatedAt,
    fingerprint: version.fingerprint,
    deleted: version.deleted,
    data: version.deleted ? null : version.data,
  };
  if (seen) entry.base = seen.fingerprint;
  return entry;
}

function item(itemId: string, version: VersionWithData): Item {
  return { itemId, ...version };
}

/** The audit record of one conflict decided on the local side; `version` is what the decision left on both sides. */
function conflictRecord(
  context: SettleContext,
  itemId: string,
  decided: { rule: ConflictRecord['rule']; winner: Winner; version: VersionWithData; local: VersionWithData; remote: VersionWithData },
): ConflictRecord {
  const body = {
    itemId,
    peer: context.peer,
    rule: decided.rule,
    winner: decided.winner as ConflictRecord['winner'],
    local: decided.local,
    remote: decided.remote,
    result: versionOf(decided.version),
  };
  return { conflictId: conflictId(context.collection, body), ...body, decidedAt: context.now.toISOString() };
}
