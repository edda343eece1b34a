import { conflictId, type ConflictRecord } from '../protocol/conflicts.js';
import type { Item, SyncEntry, Version, VersionWithData } from '../protocol/types.js';
import { counting } from './counting.js';
import { RetriesExhausted } from './errors.js';
import type { Checkpoints } from './checkpoints.js';
import { decide, isConflict, resolved, sameVersion, type Prefer, type Resolver, type Winner, type Rule } from './decide.js';
import type { HttpClient, TrafficStats } from './http.js';
import { sleep } from './job.js';
import type { Replica, ReplicaEntry } from './replica.js';
import { emptyReport, type Decision, type SyncReport } from './report.js';

export type Step = 1 | 2 | 3 | 4;

export interface SyncProgress {
  collection: string;
  step: Step;
  /** Step 1: log entries read; 2: items' data fetched; 3: entries pushed; 4: entries applied locally. */
  done: number;
  /** What the step moves in all; absent while not known (logs being read, a first sync pulled page by page). */
  total?: number;
}

export interface SyncOptions {
  /** Where the checkpoint pair of this collection lives. */
  checkpoints: Checkpoints;
  /** Who wins when both changed an item within `skewMs` (default 'remote'). */
  prefer?: Prefer;
  /** updatedAt values closer than this are too close to call (default 1000). */
  skewMs?: number;
  /** Decides (and may merge) inside the skew window, instead of `prefer`. */
  resolve?: Resolver;
  /** Restarts from Step 1 after a concurrent write before giving up (default 5). */
  maxRetries?: number;
  /** First backoff before a restart; doubled each time (default 50 ms). */
  backoffMs?: number;
  /** Called after each step of each attempt; a throw aborts the sync (tests use it to interleave writes or die). */
  afterStep?: (step: Step, collection: string) => void | Promise<void>;
  onProgress?: (progress: SyncProgress) => void;
  /** The clock merged versions are stamped from. */
  now?: () => Date;
  /**
   * List every item's decision in the report (default true). A first sync of millions of items
   * that has no use for them turns this off, so its memory stays bounded by the log's page size.
   */
  decisions?: boolean;
  /**
   * Record every conflict (a decision in which a version lost) on the local side, with both
   * versions (default true). It needs the losing version's data too: without embedded log data,
   * one more GET per conflict.
   */
  audit?: boolean;
}

/** Thrown inside an attempt when the data moved under it: the attempt starts again from Step 1. */
class Restart extends Error {}

interface ReadLog {
  entries: Map<string, ReplicaEntry>;
  checkpoint: string;
  restarted: boolean;
  /** The pages went to a sink as they came: `entries` is empty. */
  streamed: boolean;
}

/** Takes a log page by page, once the log is longer than one page (see pullPageByPage). */
type PageSink = (entries: ReplicaEntry[]) => Promise<void>;

/**
 * Reconciles one collection of two replicas in the four steps of DESIGN §3:
 * 1. read both logs since the saved checkpoint pair;
 * 2. decide per item, and fetch the data to move;
 * 3. push the winners to the remote as one sync log (`base` preconditions, `since`);
 * 4. apply the pulls to the local side in one transaction (the same rules), then save the
 *    checkpoints the applies returned — only then, so a sync that dies can simply run again.
 * A refused precondition in Step 3 or 4 means someone wrote meanwhile: start again from Step 1.
 */
export async function sync(local: Replica, remote: Replica, options: SyncOptions): Promise<SyncReport> {
  const started = Date.now();
  const clients = [...new Set([local.http, remote.http].filter((http): http is HttpClient => http !== undefined))];
  const before = traffic(clients);
  const maxRetries = options.maxRetries ?? 5;
  const report = { ...emptyReport(), collections: [local.collection] };

  for (let attempt = 0; ; attempt++) {
    try {
      await runAttempt(local, remote, options, report);
      break;
    } catch (error) {
      if (!(error instanceof Restart)) throw error;
      if (attempt >= maxRetries) throw new RetriesExhausted(attempt + 1, error.message);
      report.retries++;
      const backoff = (options.backoffMs ?? 50) * 2 ** attempt;
      await sleep(Math.min(backoff, 5000) * (0.5 + Math.random() / 2));
    }
  }

  const after = traffic(clients);
  report.requests = after.requests - before.requests;
  report.bytes = after.bytes - before.bytes;
  report.ms = Date.now() - started;
  return report;
}

async function runAttempt(local: Replica, remote: Replica, options: SyncOptions, report: SyncReport): Promise<void> {
  const collection = local.collection;
  const progress = (step: Step, done: number, total?: number) => options.onProgress?.({ collection, step, done, ...(total === undefined ? {} : { total }) });
  const seen = { read: 0, fetched: 0, toFetch: 0 };
  const counters = { read: (n: number) => progress(1, (seen.read += n)), fetched: (n: number) => progress(2, (seen.fetched += n), seen.toFetch) };
  if (options.onProgress) [local, remote] = [counting(local, counters), counting(remote, counters)];
  const afterStep = async (step: Step) => options.afterStep?.(step, collection);

  // Step 1: both logs since the saved pair.
  progress(1, 0);
  const saved = await options.checkpoints.load();
  let [localLog, remoteLog] =
    saved === null ? await firstLogs(local, remote, options, report) : await Promise.all([readLog(local, saved.local), readLog(remote, saved.remote)]);
  if (remoteLog.streamed) return;
  report.fullResync ||= localLog.restarted || remoteLog.restarted;
  // A full resync compares whole logs: a log read again from its start no longer says what
  // changed since the last sync, so the other side's whole log is read too, and a version
  // only one side holds is copied (docs/retention.md: a purged deletion and a stale node).
  if (saved && remoteLog.restarted && !localLog.restarted) localLog = await readLog(local, null);
  if (saved && localLog.restarted && !remoteLog.restarted) remoteLog = await readLog(remote, null);
  await afterStep(1);

  // Step 2: per item decisions, and the data of what moves.
  const policy = { prefer: options.prefer ?? 'remote', skewMs: options.skewMs ?? 1000, resolves: options.resolve !== undefined };
  const ids = new Set([...localLog.entries.keys(), ...remoteLog.entries.keys()]);
  const verdicts = [...ids].map((itemId) => {
    const l = localLog.entries.get(itemId);
    const r = remoteLog.entries.get(itemId);
    return { itemId, l, r, verdict: decide(l, r, policy) };
  });
  const audit = options.audit !== false;
  // A conflict's record holds both versions, so under audit the loser's data is fetched too.
  const both = (v: (typeof verdicts)[number]) => v.verdict.winner === 'ask' || (audit && isConflict(v.verdict.rule));
  const needLocal = verdicts.filter((v) => v.verdict.winner === 'local' || both(v)).map((v) => v.l!);
  const needRemote = verdicts.filter((v) => v.verdict.winner === 'remote' || both(v)).map((v) => v.r!);
  const total = needLocal.length + needRemote.length;
  progress(2, 0, (seen.toFetch = total));
  const [localData, remoteData] = await Promise.all([dataOf(local, needLocal), dataOf(remote, needRemote)]);
  progress(2, total, total);

  const decisions: Decision[] = [];
  const pushes: SyncEntry[] = [];
  const pulls: SyncEntry[] = [];
  const records: ConflictRecord[] = [];
  const now = (options.now ?? (() => new Date()))();
  for (const { itemId, l, r, verdict } of verdicts) {
    let winner: Winner;
    const rule: Rule = verdict.rule;
    let version: VersionWithData | undefined;
    if (verdict.winner === 'ask') {
      const answer = await options.resolve!(item(itemId, localData.get(itemId)!), item(itemId, remoteData.get(itemId)!));
      ({ winner, version } = resolved(item(itemId, localData.get(itemId)!), item(itemId, remoteData.get(itemId)!), answer, now));
    } else {
      winner = verdict.winner;
      version = winner === 'local' ? localData.get(itemId) : winner === 'remote' ? remoteData.get(itemId) : undefined;
    }
    decisions.push({ collection, itemId, winner, rule });
    if (audit && isConflict(rule) && version && winner !== 'none') {
      const sides = { local: localData.get(itemId)!, remote: remoteData.get(itemId)! };
      records.push(conflictRecord(collection, itemId, remote.peer, { rule, winner, version, now, ...sides }));
    }
    if (!version) continue;
    // Base: the fingerprint this side's log showed; none when its log did not list the item
    // (then `since` makes the precondition "nothing recorded about it after my read").
    if (winner === 'local' || winner === 'merged') pushes.push(syncEntry(itemId, version, r));
    if (winner === 'remote' || winner === 'merged') pulls.push(syncEntry(itemId, version, l));
  }
  if (options.decisions !== false) report.decisions = [...report.decisions.filter((d) => d.collection !== collection), ...decisions];
  report.conflicts = decisions.filter((d) => d.rule !== 'equal' && d.rule !== 'one-side').length;
  await afterStep(2);

  // Step 3: push.
  progress(3, 0, pushes.length);
  const remoteCheckpoint = await applyTo(remote, remoteLog.checkpoint, pushes, report, 'pushed');
  progress(3, pushes.length, pushes.length);
  await afterStep(3);

  // Step 4: pull, in one local transaction (which also records the conflicts); then, and only
  // then, the checkpoints.
  progress(4, 0, pulls.length);
  const localCheckpoint = await applyTo(local, localLog.checkpoint, pulls, report, 'pulled', records);
  await options.checkpoints.save({ local: localCheckpoint, remote: remoteCheckpoint });
  progress(4, pulls.length, pulls.length);
  await afterStep(4);
}

/** Applies a sync log to one side (nothing to apply: nothing sent) and returns that side's new checkpoint. */
async function applyTo(
  replica: Replica,
  since: string,
  entries: SyncEntry[],
  report: SyncReport,
  counter: 'pushed' | 'pulled',
  conflicts: ConflictRecord[] = [],
): Promise<string> {
  if (entries.length === 0 && conflicts.length === 0) return since;
  const outcome = await replica.apply({ since, entries }, { conflicts });
  if (!outcome.ok) throw new Restart(`${replica.description} refused ${outcome.conflicts.length} entries: changed since read`);
  report[counter] += entries.length;
  report.deleted += entries.filter((e) => e.deleted).length;
  report.unrecorded += outcome.unrecorded ?? 0;
  return outcome.checkpoint;
}

async function readLog(replica: Replica, since: string | null, sink?: PageSink): Promise<ReadLog> {
  const entries = new Map<string, ReplicaEntry>();
  let checkpoint = since;
  let restarted = false;
  let pages = 0;
  for await (const page of replica.changes(since)) {
    if (page.restarted) {
      entries.clear();
      restarted = true;
    }
    if (sink && ++pages > 1) {
      // A longer log than one page: what was held goes first, then every page as it comes.
      if (pages === 2) await sink([...entries.values()]);
      entries.clear();
      await sink(page.entries);
    } else {
      // An item is listed once, at its latest change; a later page's entry supersedes an earlier one.
      for (const entry of page.entries) {
        entries.delete(entry.itemId);
        entries.set(entry.itemId, entry);
      }
    }
    checkpoint = page.checkpoint;
  }
  if (checkpoint === null) throw new Error(`${replica.description}: its log gave no checkpoint`);
  return { entries, checkpoint, restarted, streamed: pages > 1 && sink !== undefined };
}

/**
 * The first sync of an empty local side, page by page: memory bounded by the page size, not by
 * the remote log (a million items need not be held). With no checkpoint pair and nothing in
 * the local log, every remote entry is "changed on one side only" and nothing is pushed, so
 * Steps 2 and 4 can run per page as the remote log is read. The guarantees of the four steps
 * still hold:
 * - the checkpoint pair is saved only at the end, so a sync that dies part-way is simply run
 *   again: with pulled items now in the local log it takes the ordinary path, finds them equal
 *   to the remote's and moves only the rest;
 * - each page's apply carries the local checkpoint the previous one answered as `since`, and
 *   each entry the precondition "unchanged since": a local write meanwhile to a pulled item is
 *   refused (the attempt restarts from Step 1), and one to any other item keeps the local
 *   checkpoint before it (an apply answers `since` itself then), so the next sync sees it;
 * - an item the remote changed while its log was read comes again on a later page and is
 *   applied again over our own earlier copy; the remote checkpoint is the one after the last page.
 * A log of one page is returned as read, and takes the ordinary path unchanged.
 */
async function pullPageByPage(local: Replica, remote: Replica, localCheckpoint: string, options: SyncOptions, report: SyncReport): Promise<ReadLog> {
  const collection = local.collection;
  const keep = options.decisions !== false;
  const decisions: Decision[] = [];
  let checkpoint = localCheckpoint;
  const sink: PageSink = async (entries) => {
    const data = await dataOf(remote, entries);
    const pulls = entries.map((entry) => syncEntry(entry.itemId, data.get(entry.itemId)!, undefined));
    if (keep) for (const entry of entries) decisions.push({ collection, itemId: entry.itemId, winner: 'remote', rule: 'one-side' });
    checkpoint = await applyTo(local, checkpoint, pulls, report, 'pulled');
    options.onProgress?.({ collection, step: 4, done: report.pulled });
  };
  const remoteLog = await readLog(remote, null, sink);
  if (!remoteLog.streamed) return remoteLog;
  if (keep) report.decisions = [...report.decisions.filter((d) => d.collection !== collection), ...decisions];
  for (const step of [1, 2, 3] as const) await options.afterStep?.(step, collection);
  await options.checkpoints.save({ local: checkpoint, remote: remoteLog.checkpoint });
  await options.afterStep?.(4, collection);
  return remoteLog;
}

/** Step 1 of a first sync: the local log, then the remote's, pulled page by page when the local one is empty. */
async function firstLogs(local: Replica, remote: Replica, options: SyncOptions, report: SyncReport): Promise<[ReadLog, ReadLog]> {
  const localLog = await readLog(local, null);
  const remoteLog = localLog.entries.size === 0 ? await pullPageByPage(local, remote, localLog.checkpoint, options, report) : await readLog(remote, null);
  return [localLog, remoteLog];
}

/**
 * The data of the versions a log listed: from the entries when they carry it (tombstones,
 * embedded data), else from the replica. A version that changed since the log was read
 * restarts the attempt: decisions are only made on what the logs showed.
 */
async function dataOf(replica: Replica, entries: ReplicaEntry[]): Promise<Map<string, VersionWithData>> {
  const found = new Map<string, VersionWithData>();
  const missing: ReplicaEntry[] = [];
  for (const entry of entries) {
    if (entry.deleted) found.set(entry.itemId, { ...version(entry), data: null });
    else if (entry.data !== undefined) found.set(entry.itemId, { ...version(entry), data: entry.data });
    else missing.push(entry);
  }
  if (missing.length === 0) return found;
  const fetched = await replica.data(missing);
  for (const entry of missing) {
    const current = fetched.get(entry.itemId);
    if (!current || !sameVersion(current, entry)) throw new Restart(`${replica.description}: item ${entry.itemId} changed since its log was read`);
    found.set(entry.itemId, { ...version(entry), data: current.data });
  }
  return found;
}

function version(entry: Version): Version {
  return { updatedAt: entry.updatedAt, fingerprint: entry.fingerprint, deleted: entry.deleted };
}

function item(itemId: string, version: VersionWithData): Item {
  return { itemId, ...version };
}

function syncEntry(itemId: string, version: VersionWithData, seen: ReplicaEntry | undefined): SyncEntry {
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

/** The audit record of one conflict decided on the local side; `version` is what the decision left on both sides. */
function conflictRecord(
  collection: string,
  itemId: string,
  peer: string,
  decided: { rule: ConflictRecord['rule']; winner: Winner; version: VersionWithData; now: Date; local: VersionWithData; remote: VersionWithData },
): ConflictRecord {
  const body = {
    itemId,
    peer,
    rule: decided.rule,
    winner: decided.winner as ConflictRecord['winner'],
    local: decided.local,
    remote: decided.remote,
    result: version(decided.version),
  };
  return { conflictId: conflictId(collection, body), ...body, decidedAt: decided.now.toISOString() };
}

function traffic(clients: HttpClient[]): TrafficStats {
  return clients.reduce((sum, client) => ({ requests: sum.requests + client.stats.requests, bytes: sum.bytes + client.stats.bytes }), {
    requests: 0,
    bytes: 0,
  });
}
