import { retry } from '../protocol/retry.js';
import type { CheckpointPair, Checkpoints } from './checkpoints.js';
import { counting } from './counting.js';
import { DEFAULT_PREFER, DEFAULT_SKEW_MS, type Prefer, type Resolver } from './decide.js';
import { RetriesExhausted } from './errors.js';
import { firstSyncApplies, pullPageByPage } from './first-sync.js';
import { conflictCount, judge, settle, type Plan } from './plan.js';
import type { Replica } from './replica.js';
import { emptyReport, measured, type Decision, type DecisionLog, type SyncReport } from './report.js';
import { applyTo, fetchData, readLog, readLogs, Restart, type ReadLogs } from './steps.js';

/**
 * The reconciliation engine: one collection of two replicas, as DESIGN §3 reads —
 * read logs → plan (pushes, pulls, records, decisions) → push → pull. A refused precondition
 * in the push or the pull means someone wrote meanwhile: the attempt starts again from the
 * logs, a bounded number of times. The checkpoint pair is saved only after the pull, so a
 * sync that dies anywhere can simply run again.
 */

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
  /**
   * Who wins when both changed an item and their updatedAt fall in one skew bucket: the greater
   * fingerprint (default 'fingerprint', the same whichever side plays local), or a fixed side
   * ('local' | 'remote': converges only where each pair always syncs in the same orientation).
   */
  prefer?: Prefer;
  /** The width of a skew bucket, `floor(ms / skewMs)`: updatedAt in one bucket are too close to call (default 1000). */
  skewMs?: number;
  /** Decides (and may merge) inside the skew window, instead of `prefer`. */
  resolve?: Resolver;
  /** Restarts from Step 1 after a concurrent write before giving up (default 5). */
  maxRetries?: number;
  /** First backoff before a restart; doubled each time, up to 5 s (default 50 ms). */
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
  /** Hand each attempt's decisions to this log as they are made, instead of listing them in the report. */
  decisionLog?: DecisionLog;
  /**
   * Record every conflict (a decision in which a version lost) on the local side, with both
   * versions (default true). It needs the losing version's data too: without embedded log data,
   * one more GET per conflict.
   */
  audit?: boolean;
}

const MAX_BACKOFF_MS = 5000;

/** Syncs one collection and reports what moved, with the traffic and time it took. */
export async function sync(local: Replica, remote: Replica, options: SyncOptions): Promise<SyncReport> {
  return measured([local.http, remote.http], () => reconcile(local, remote, options));
}

/** The engine without the accounting: callers that sync several collections measure the whole run once. */
export async function reconcile(local: Replica, remote: Replica, options: SyncOptions): Promise<SyncReport> {
  const report = { ...emptyReport(), collections: [local.collection] };
  await retry(() => attempt(local, remote, options, report), {
    retries: options.maxRetries ?? 5,
    firstMs: options.backoffMs ?? 50,
    maxMs: MAX_BACKOFF_MS,
    retryable: (error) => error instanceof Restart,
    onRetry: () => report.retries++,
    exhausted: (error, attempts) => new RetriesExhausted(attempts, (error as Error).message),
  });
  return report;
}

async function attempt(local: Replica, remote: Replica, options: SyncOptions, report: SyncReport): Promise<void> {
  const collection = local.collection;
  const progress = (step: Step, done: number, total?: number) => options.onProgress?.({ collection, step, done, ...(total === undefined ? {} : { total }) });
  const seen = { read: 0, fetched: 0, toFetch: 0 };
  const counters = { read: (n: number) => progress(1, (seen.read += n)), fetched: (n: number) => progress(2, (seen.fetched += n), seen.toFetch) };
  // Only a progress display needs the counts: the plain replicas otherwise.
  if (options.onProgress) [local, remote] = [counting(local, counters), counting(remote, counters)];
  const afterStep = async (step: Step) => options.afterStep?.(step, collection);

  // Step 1: both logs since the saved pair; a first sync of an empty side pulls page by page instead.
  progress(1, 0);
  options.decisionLog?.begin(collection);
  const keep = keepDecisions(options, report);
  const saved = await options.checkpoints.load();
  let logs: ReadLogs;
  if (saved === null) {
    const localLog = await readLog(local, null);
    if (firstSyncApplies(saved, localLog)) {
      const context = {
        collection,
        checkpoints: options.checkpoints,
        decisions: keep,
        progress: options.onProgress ?? (() => {}),
        afterStep,
      };
      const outcome = await pullPageByPage(local, remote, localLog, context, report);
      if (outcome.done) return;
      logs = { local: localLog, remote: outcome.remoteLog, fullResync: true };
    } else logs = await readLogs(local, remote, saved, localLog);
  } else logs = await readLogs(local, remote, saved);
  report.fullResync ||= saved !== null && logs.fullResync;
  await afterStep(1);

  // Step 2: the plan. An item the remote listed as a removal is not judged: it is dropped after the pull.
  const removed = [...(logs.remote.removed ?? [])];
  for (const itemId of removed) logs.local.entries.delete(itemId);
  const planned = await plan(local, remote, logs, options, progress, seen);
  keep?.(planned.decisions);
  report.conflicts = conflictCount(planned.decisions);
  await afterStep(2);

  // Step 3: push. The pull's sync log is made ready while the push is under way (a node's is
  // serialised and compressed then); it is applied only once the push succeeded.
  progress(3, 0, planned.pushes.length);
  const pushing = applyTo(remote, logs.remote.checkpoint, planned.pushes, report, 'pushed');
  // Awaited below; should making the pull ready throw first, never an unhandled rejection.
  pushing.catch(() => undefined);
  const preparedPull = planned.pulls.length > 0 ? local.prepare?.(planned.pulls) : undefined;
  let remoteCheckpoint: string;
  try {
    remoteCheckpoint = await pushing;
    progress(3, planned.pushes.length, planned.pushes.length);
    await afterStep(3);
  } catch (error) {
    preparedPull?.discard();
    throw error;
  }

  // Step 4: pull, in one local transaction (which also records the conflicts); then, and only then, the checkpoints.
  progress(4, 0, planned.pulls.length);
  const localCheckpoint = await applyTo(local, logs.local.checkpoint, planned.pulls, report, 'pulled', planned.records, preparedPull);
  // What the remote forgot goes from a local store as a removal, before the pair is saved (a
  // sync that dies here runs the same full resync again); a node keeps it.
  const dropped = planned.stale.length > 0 && local.drop ? await local.drop(planned.stale, logs.local.checkpoint) : 0;
  report.stale = planned.stale.length - dropped;
  report.dropped = dropped;
  // Removals: items the remote no longer shows this reader (DESIGN §7) go from a local store the same way, never pushed.
  if (removed.length > 0 && local.drop) report.dropped += await local.drop(removed, logs.local.checkpoint);
  const pair: CheckpointPair = { local: localCheckpoint, remote: remoteCheckpoint };
  await options.checkpoints.save(pair);
  progress(4, planned.pulls.length, planned.pulls.length);
  await afterStep(4);
}

/** Step 2: decide per item on what the logs showed, fetch the data of what moves, and settle. */
async function plan(
  local: Replica,
  remote: Replica,
  logs: ReadLogs,
  options: SyncOptions,
  progress: (step: Step, done: number, total?: number) => void,
  seen: { toFetch: number },
): Promise<Plan> {
  const audit = options.audit !== false;
  const policy = { prefer: options.prefer ?? DEFAULT_PREFER, skewMs: options.skewMs ?? DEFAULT_SKEW_MS, resolves: options.resolve !== undefined };
  const judgement = judge(logs.local.entries, logs.remote.entries, policy, audit, logs.localChanged);
  const { needLocal, needRemote } = judgement;
  const total = needLocal.length + needRemote.length;
  progress(2, 0, (seen.toFetch = total));
  const [localData, remoteData] = await Promise.all([fetchData(local, needLocal), fetchData(remote, needRemote)]);
  progress(2, total, total);
  const now = (options.now ?? (() => new Date()))();
  return settle(
    judgement,
    { local: localData, remote: remoteData },
    { collection: local.collection, peer: remote.peer, audit, now, ...(options.resolve ? { resolve: options.resolve } : {}) },
  );
}

/** Where an attempt puts its decisions: the decision log, the report (replacing an earlier attempt's), or nowhere. */
function keepDecisions(options: SyncOptions, report: SyncReport): ((decisions: readonly Decision[]) => void) | undefined {
  const log = options.decisionLog;
  if (log) return (decisions) => log.add(decisions);
  if (options.decisions === false) return undefined;
  report.decisions = [];
  return (decisions) => {
    for (const decision of decisions) report.decisions.push(decision);
  };
}
