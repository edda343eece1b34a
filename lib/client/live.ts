import { backoffDelay, sleep } from '../protocol/retry.js';
import { StoreUnavailable } from '../store/store.js';
import type { Checkpoints } from './checkpoints.js';
import { ClientError, HttpError, LinkNotFound, UnknownCollection, UntrustedOrigin } from './errors.js';
import type { Replica } from './replica.js';
import { addReport, emptyReport, measured, type SyncReport } from './report.js';
import { reconcile, type Step, type SyncOptions } from './sync.js';

/**
 * Live sync: after each sync, wait for a change on either side (a long poll on a node, a
 * watch on a local store), then run a normal sync — the same engine, so every guarantee of
 * a single sync holds. An idle live sync sends one request per wait period per remote side.
 */
export interface LiveOptions {
  /** Keep both sides in step until `signal` aborts, instead of syncing once. */
  live?: boolean;
  /** Stops a live sync after the step in progress; its waits end at once. */
  signal?: AbortSignal;
  /** Told the report of each sync a live sync runs. */
  onSync?: (report: SyncReport) => void;
  /** Told when a live sync failed (the remote went away, say) and will try again after `delayMs`. */
  onRetry?: (error: Error, delayMs: number) => void;
  /** How long each long poll waits, in seconds (default 30; a node holds one for at most 60). */
  waitSeconds?: number;
  /** The first delay before a failed live sync tries again; doubled each time up to 30 s (default 250 ms). */
  retryMs?: number;
}

/** One collection of a live sync: its two replicas and where its checkpoint pair lives. */
export interface SyncPair {
  local: Replica;
  remote: Replica;
  checkpoints: Checkpoints;
}

export const DEFAULT_WAIT_SECONDS = 30;
const MAX_RETRY_MS = 30_000;

/** Thrown after a step when the live sync was stopped: the sync dies there, safely (DESIGN §3). */
class Stopped extends Error {}

/** Syncs each pair once, one collection after the other; the caller measures the traffic. */
export async function syncPairs(pairs: readonly SyncPair[], options: Omit<SyncOptions, 'checkpoints'>): Promise<SyncReport> {
  let report = emptyReport();
  for (const pair of pairs) report = addReport(report, await reconcile(pair.local, pair.remote, { ...options, checkpoints: pair.checkpoints }));
  return report;
}

/**
 * Runs a live sync until `options.signal` aborts and returns the sum of its syncs' reports.
 * `connect` finds the pairs (discovery); it runs again after a failure, since a node that
 * restarted may publish other links. Failures that another try may cure (a node unreachable
 * or answering 5xx, a store unavailable) back off and resume from the saved checkpoints;
 * the others (a wrong token, an unknown collection) end it.
 */
export async function runLive(connect: () => Promise<SyncPair[]>, options: Omit<SyncOptions, 'checkpoints'> & LiveOptions): Promise<SyncReport> {
  const signal = options.signal ?? new AbortController().signal;
  const waitSeconds = options.waitSeconds ?? DEFAULT_WAIT_SECONDS;
  const afterStep = async (step: Step, collection: string) => {
    await options.afterStep?.(step, collection);
    // After Step 4 the sync is whole: let it report.
    if (signal.aborted && step < 4) throw new Stopped();
  };
  let total = emptyReport();
  let pairs: SyncPair[] | undefined;
  for (let failures = 0; !signal.aborted;) {
    try {
      pairs ??= await connect();
      const round = pairs;
      const report = await measured(
        round.flatMap((pair) => [pair.local.http, pair.remote.http]),
        () => syncPairs(round, { ...options, afterStep }),
      );
      total = addReport(total, report);
      options.onSync?.(report);
      failures = 0;
      await waitForAnyChange(pairs, waitSeconds, signal);
    } catch (error) {
      if (error instanceof Stopped || signal.aborted) break;
      if (!curable(error)) throw error;
      pairs = undefined;
      const wait = backoffDelay(failures++, { firstMs: options.retryMs ?? 250, maxMs: MAX_RETRY_MS });
      options.onRetry?.(error as Error, Math.round(wait));
      await sleep(wait, signal);
    }
  }
  return total;
}

/** Resolves when either side of any pair records a change after its saved checkpoint, or the signal aborts. */
async function waitForAnyChange(pairs: readonly SyncPair[], seconds: number, signal: AbortSignal): Promise<void> {
  const saved = await Promise.all(pairs.map((pair) => pair.checkpoints.load()));
  // No pair saved yet (nothing to compare with): sync again at once.
  if (saved.some((pair) => pair === null)) return;
  const sides = pairs.flatMap((pair, i) => [
    { replica: pair.local, since: saved[i]!.local },
    { replica: pair.remote, since: saved[i]!.remote },
  ]);
  const done = new AbortController();
  const stop = () => done.abort();
  signal.addEventListener('abort', stop, { once: true });
  const watches = sides.map(({ replica, since }) => watchSide(replica, since, seconds, done.signal));
  try {
    await Promise.race(watches);
  } finally {
    done.abort();
    signal.removeEventListener('abort', stop);
    // No request outlives the wait.
    await Promise.allSettled(watches);
  }
}

/** Waits on one side, one wait period after another, until it changed (resolves) or the signal aborts. */
async function watchSide(replica: Replica, since: string, seconds: number, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const started = Date.now();
    if (replica.waitForChange && (await replica.waitForChange(since, seconds, signal))) return;
    // A side that cannot wait (or a node that answered early) is asked again a period later,
    // never in a busy loop.
    const rest = seconds * 1000 - (Date.now() - started);
    if (rest > 0) await sleep(rest, signal);
    if (!replica.waitForChange) return;
  }
}

/** What another try may cure: the network, a node's 5xx (or 408/429), a store that went away. */
function curable(error: unknown): boolean {
  if (error instanceof UntrustedOrigin || error instanceof UnknownCollection || error instanceof LinkNotFound) return false;
  if (error instanceof HttpError) return error.status >= 500 || error.status === 408 || error.status === 429;
  return error instanceof ClientError || error instanceof StoreUnavailable;
}
