import cliProgress from 'cli-progress';
import { openStore } from '../store/open.js';
import { syncNodes, syncStore, type SyncRunOptions } from './connect.js';
import { ClientError, HttpError } from './errors.js';
import { summary, type SyncReport } from './report.js';
import type { SyncProgress } from './sync.js';

/** `halsync sync`: a store with a remote node (one URL), or two nodes (two URLs). */
export interface SyncCommandOptions {
  store: string;
  state: string;
  collection: string[];
  prefer: 'local' | 'remote';
  skewMs: number;
  token?: string;
  json: boolean;
}

const STEPS = ['', 'reading logs', 'fetching data', 'pushing', 'applying locally'];

/** Runs the command; returns the exit code. Errors are one line on stderr, never a stack trace. */
export async function runSync(urls: string[], options: SyncCommandOptions): Promise<number> {
  if (urls.length < 1 || urls.length > 2) return fail('give one remote root URL, or two root URLs');
  const bar = !options.json && process.stderr.isTTY ? progressBar() : undefined;
  const run: SyncRunOptions = {
    collections: options.collection,
    prefer: options.prefer,
    skewMs: options.skewMs,
    token: options.token,
    onProgress: bar?.update,
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
  console.log(options.json ? JSON.stringify(report) : summary(report));
  return 0;
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
  if (error instanceof HttpError && error.status === 403) return `${error.uri} refused the write (403): the token is read-only; a sync that pushes needs a read-write token`;
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
