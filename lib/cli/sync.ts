import { openStore } from '../store/open.js';
import { syncNodes, syncStore, type SyncRunOptions } from '../client/connect.js';
import { ClientError } from '../client/errors.js';
import { summary, type SyncReport } from '../client/report.js';
import { DecisionSpool } from './decision-spool.js';
import { describeError, reportError } from './errors.js';
import { progressDisplay } from './progress.js';
import { newSqliteFile, removeSqliteFile } from './store-file.js';

/** `halsync sync`: a store with a remote node (one URL), or two nodes (two URLs). */
export interface SyncCommandOptions {
  store: string;
  state: string;
  collection: string[];
  prefer: 'fingerprint' | 'local' | 'remote';
  skewMs: number;
  token?: string;
  /** Node↔node: the token sent to A, and to B (each over `token`). */
  tokenA?: string;
  tokenB?: string;
  json: boolean;
  /** Keep syncing until SIGINT/SIGTERM, one line per sync. */
  live?: boolean;
  /** Seconds each long poll of a live sync waits. */
  wait?: number;
}

/** Runs the command; returns the exit code. Errors are one line on stderr (and with --json an object on stdout), never a stack trace. */
export async function runSync(urls: string[], options: SyncCommandOptions): Promise<number> {
  const failed = (error: unknown) => reportError('sync', describeError(error, urls), options.json);
  if (urls.length < 1 || urls.length > 2) return failed(new ClientError('give one remote root URL, or two root URLs'));
  let synced = false;
  const print = (report: SyncReport) => {
    synced = true;
    console.log(options.json ? JSON.stringify(report) : summary(report));
  };
  // One sync's --json lists every decision: spooled to a file while it runs, so the command's
  // memory stays bounded by a log page, not by the items. A summary lists none, so keeps none.
  const spool = options.json && !options.live ? new DecisionSpool() : undefined;
  // Live: one line per sync; the progress display would interleave with them.
  const display = !options.json && !options.live && process.stderr.isTTY ? await progressDisplay() : undefined;
  let report: SyncReport;
  let created: string | undefined;
  try {
    for (const url of urls) checkUrl(url);
    const run: SyncRunOptions = {
      collections: options.collection,
      prefer: options.prefer,
      skewMs: options.skewMs,
      ...tokens(urls, options),
      ...(display ? { onProgress: display.update } : {}),
      ...(spool ? { decisionLog: spool } : options.json ? {} : { decisions: false }),
      ...(options.live ? liveOptions(print, options.wait) : {}),
    };
    if (urls.length === 1) {
      created = newSqliteFile(options.store);
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
    display?.stop();
    spool?.close();
    // Everything in a store this run created came from the remote: nothing is lost with it.
    if (!synced) await removeSqliteFile(created);
    return failed(error);
  }
  display?.stop();
  if (spool) {
    try {
      await spool.print(report, writeOut);
    } catch (error) {
      // Whoever read our output went away (`| head`): the sync itself is done, as console.log would have it.
      if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
    } finally {
      spool.close();
    }
  } else if (!options.live) print(report);
  return 0;
}

/**
 * Writes to stdout, waiting while it is full (a pipe read slowly). A failed write reaches the
 * callback and is then emitted as an 'error' event too, which unheard would end the process with
 * a stack: the callback's rejection is the one report of it.
 */
function writeOut(chunk: string | Uint8Array): Promise<void> {
  if (process.stdout.listenerCount('error') === 0) process.stdout.on('error', () => undefined);
  return new Promise((resolve, reject) => process.stdout.write(chunk, (error) => (error ? reject(error) : resolve())));
}

/** The bearer tokens: `--token` for every node; node↔node, `--token-a`/`--token-b` over it for each. */
function tokens(urls: string[], options: SyncCommandOptions): Pick<SyncRunOptions, 'token' | 'tokens'> {
  const token = options.token ? { token: options.token } : {};
  if (options.tokenA === undefined && options.tokenB === undefined) return token;
  if (urls.length !== 2) throw new ClientError('--token-a and --token-b are for a sync of two nodes; with one URL, use --token');
  const [a, b] = urls.map((url) => new URL(url).origin) as [string, string];
  const [tokenA, tokenB] = [options.tokenA ?? options.token, options.tokenB ?? options.token];
  // Tokens are sent per origin: two roots on one origin cannot tell them apart.
  if (a === b && tokenA !== tokenB) throw new ClientError(`both roots are on ${a}: one origin takes one token`);
  return { ...token, tokens: { ...(tokenA ? { [a]: tokenA } : {}), ...(tokenB ? { [b]: tokenB } : {}) } };
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
    onRetry: (error, delayMs) => console.error(`halsync sync: ${describeError(error).detail}; trying again in ${(delayMs / 1000).toFixed(1)} s`),
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
