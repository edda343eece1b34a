import cliProgress from 'cli-progress';
import { openStore } from '../store/open.js';
import { syncNodes, syncStore, type SyncRunOptions } from '../client/connect.js';
import { ClientError, HttpError } from '../client/errors.js';
import { summary, type SyncReport } from '../client/report.js';
import type { SyncProgress } from '../client/sync.js';

/** `halsync sync`: a store with a remote node (one URL), or two nodes (two URLs). */
export interface SyncCommandOptions {
  store: string;
  state: string;
  collection: string[];
  prefer: 'fingerprint' | 'local' | 'remote';
  skewMs: number;
  token?: string;
  json: boolean;
  /** Keep syncing until SIGINT/SIGTERM, one line per sync. */
  live?: boolean;
  /** Seconds each long poll of a live sync waits. */
  wait?: number;
}

const STEPS = ['', 'reading logs', 'fetching data', 'pushing', 'applying locally'];

/** Runs the command; returns the exit code. Errors are one line on stderr, never a stack trace. */
export async function runSync(urls: string[], options: SyncCommandOptions): Promise<number> {
  if (urls.length < 1 || urls.length > 2) return fail('give one remote root URL, or two root URLs');
  const print = (report: SyncReport) => console.log(options.json ? JSON.stringify(report) : summary(report));
  // Live: one line per sync; the progress bar would interleave with them.
  const bar = !options.json && !options.live && process.stderr.isTTY ? progressBar() : undefined;
  const run: SyncRunOptions = {
    collections: options.collection,
    prefer: options.prefer,
    skewMs: options.skewMs,
    token: options.token,
    onProgress: bar?.update,
    ...(options.live ? liveOptions(print, options.wait) : {}),
  };
  let report: SyncReport;
  try {
    for (const url of urls) checkUrl(url);
    if (urls.length === 1) {
      const store = await openStore(options.store);
      try {
        report = await syncStore(store, urls[0]!, run);
      } finally {
        await store.close();
      }
    } else {
      report = await syncNodes(urls[0]!, urls[1]!, { ...run, state: options.state });
    }
  } catch (error) {
    return fail(message(error));
  } finally {
    bar?.stop();
  }
  if (!options.live) print(report);
  return 0;
}

/** Stops on SIGINT/SIGTERM after the step in progress; prints each sync, and each retry on stderr. */
function liveOptions(print: (report: SyncReport) => void, wait: number | undefined): SyncRunOptions {
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`halsync sync: ${signal}, stopping after the step in progress`);
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  stop.signal.addEventListener('abort', () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
  return {
    live: true,
    signal: stop.signal,
    onSync: print,
    onRetry: (error, delayMs) => console.error(`halsync sync: ${message(error)}; trying again in ${(delayMs / 1000).toFixed(1)} s`),
    ...(wait === undefined ? {} : { waitSeconds: wait }),
  };
}

function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ClientError(`"${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ClientError(`"${url}" is not an http(s) URL`);
}

function message(error: unknown): string {
  if (error instanceof HttpError && error.status === 401) return `${error.uri} refused the credentials (401): pass --token or set HALSYNC_TOKEN`;
  if (error instanceof HttpError && error.status === 403)
    return `${error.uri} refused the write (403): the token is read-only; a sync that pushes needs a read-write token`;
  if (error instanceof Error) return error.message;
  return String(error);
}

function fail(text: string): number {
  console.error(`halsync sync: ${text}`);
  return 1;
}

/** A progress display on stderr: the collection, the step, items done of the step's total. */
function progressBar(): { update: (progress: SyncProgress) => void; stop: () => void } {
  const bar = new cliProgress.SingleBar(
    { format: '{collection} | step {step}/4 {label} |{bar}| {value}/{total}', stream: process.stderr, hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update: ({ collection, step, done, total }) => {
      const payload = { collection, step, label: STEPS[step] };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop: () => {
      if (started) bar.stop();
    },
  };
}
