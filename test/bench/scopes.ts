import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { channelReader } from '../../lib/protocol/channels.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { Store, Write } from '../../lib/store/store.js';
import { printHttpFigures } from './scopes-http.js';
import { middle } from './middle.js';

/**
 * `node dist/test/bench/scopes.js` — the store's figure for scoped logs (issue 13): a SQLite
 * store holding SCOPES_N items (default 1,000,000) over SCOPES_CHANNELS channels (default
 * 10,000; items dealt round-robin, so one channel's items are spread over the whole log), and
 * the time a reader granted one channel takes to read its log, beside an unscoped read of a
 * 100-item collection in the same file. Figures printed, nothing asserted: the machine is shared.
 *   SCOPES_PAGE   the page size of every read (default 1000, the log's default)
 *   SCOPES_RUNS   warm repetitions of each read, whose median is printed (default 50)
 *   SCOPES_LOAD   seconds of HTTP log reads per kind (default 3)
 *   SCOPES_DB     keep the filled file at this path, and reuse it when it exists (the fill is
 *                 the slow part); it is changed by the run (ten items move), so refill to compare
 */
const n = integer('SCOPES_N', 1_000_000);
const channels = integer('SCOPES_CHANNELS', 10_000);
const pageSize = integer('SCOPES_PAGE', 1000);
const runs = integer('SCOPES_RUNS', 50);
const BATCH = 10_000;
const channelsOf = channelReader('/owner');

const kept = process.env.SCOPES_DB;
const dir = kept ? undefined : await mkdtemp(join(tmpdir(), 'halsync-scopes-'));
const path = kept ?? join(dir!, 'scopes.db');
try {
  let store: Store = SqliteStore.open(path);
  console.log(`halsync scoped log figures: SQLite, ${n} items over ${channels} channels (${n / channels} each), page ${pageSize}, node ${process.version}`);
  if ((await store.highWater()) === 0) {
    const fillStart = performance.now();
    for (let start = 0; start < n; start += BATCH) {
      const writes = Array.from({ length: Math.min(BATCH, n - start) }, (_, i) => write(start + i, `user:${(start + i) % channels}`));
      await applied(store, 'notes', writes);
    }
    await applied(
      store,
      'small',
      Array.from({ length: 100 }, (_, i) => write(n + i, null)),
    );
    const fillMs = performance.now() - fillStart;
    console.log(`fill: ${(fillMs / 1000).toFixed(1)} s (${Math.round(n / (fillMs / 1000))} items/s), in batches of ${BATCH}`);
  } else {
    console.log(`reusing ${path} as filled (SCOPES_N and SCOPES_CHANNELS must match it)`);
  }
  await store.close();
  console.log(`file: ${((await stat(path)).size / 2 ** 20).toFixed(0)} MiB`);

  // A new handle, as a node that just started: the first read is its first statement.
  store = SqliteStore.open(path);
  const grant = ['user:42'];
  const first = await timed(() => readAll(store, 'notes', grant));
  const firstSmall = await timed(() => readAll(store, 'small', undefined));
  const rows: Array<[string, number, number, number]> = [
    ['scoped read, 1 channel, first (all pages)', first.ms, middle(await repeat(() => readAll(store, 'notes', grant))), first.result.entries],
    ['unscoped read, 100-item collection, first', firstSmall.ms, middle(await repeat(() => readAll(store, 'small', undefined))), firstSmall.result.entries],
    ['scoped no-op read, 1 channel (cursor at the end)', NaN, middle(await repeat(() => readAll(store, 'notes', grant, first.result.checkpoint))), 0],
    ['unscoped no-op read, 100-item collection', NaN, middle(await repeat(() => readAll(store, 'small', undefined, firstSmall.result.checkpoint))), 0],
  ];
  const wide = Array.from({ length: 10 }, (_, i) => `user:${i * 7}`);
  const tenChannels = await timed(() => readAll(store, 'notes', wide));
  rows.push(['scoped read, 10 channels (all pages)', tenChannels.ms, middle(await repeat(() => readAll(store, 'notes', wide))), tenChannels.result.entries]);

  // Ten of the channel's items move to another channel: the reader's next read lists them as removals.
  const before = first.result.checkpoint;
  const page = await store.changes('notes', { limit: 10, withData: true, channels: grant });
  await applied(
    store,
    'notes',
    page.entries.flatMap((e) => ('removed' in e ? [] : [write((e.data as { n: number }).n, 'user:elsewhere')])),
  );
  const moved = await timed(() => readAll(store, 'notes', grant, before));
  rows.push([
    'scoped read after 10 moved out (10 removals)',
    moved.ms,
    middle(await repeat(() => readAll(store, 'notes', grant, before))),
    moved.result.entries,
  ]);
  await store.close();

  console.log(['read', 'first ms', `median of ${runs} ms`, 'entries'].join(' | '));
  for (const [what, firstMs, medianMs, entries] of rows) {
    console.log([what, Number.isNaN(firstMs) ? '-' : firstMs.toFixed(2), medianMs.toFixed(3), entries].join(' | '));
  }

  // The same over HTTP (test/bench/scopes-http.ts), on a channel the moves above left whole.
  store = SqliteStore.open(path);
  await printHttpFigures({ store, channel: 'user:43', runs: Math.min(runs, 20), loadSeconds: integer('SCOPES_LOAD', 3) });
  await store.close();
} finally {
  if (dir) await rm(dir, { recursive: true, force: true });
}

function write(i: number, owner: string | null): Write {
  const data: Json = owner === null ? { n: i, title: `item ${i}` } : { n: i, owner, title: `note ${i}` };
  const found = channelsOf(data);
  if (!found.ok) throw new Error(found.error.detail);
  return {
    itemId: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`,
    data,
    fingerprint: fingerprint(data),
    deleted: false,
    updatedAt: null,
    precondition: { kind: 'none' },
    channels: found.channels,
  };
}

async function applied(store: Store, collection: string, writes: Write[]): Promise<void> {
  const outcome = await store.apply(collection, writes);
  if (!outcome.ok) throw new Error('a benchmark write was refused');
}

/** Every page of a log after `after`, as a client's sync reads it (with data). */
async function readAll(store: Store, collection: string, grant: string[] | undefined, after = 0) {
  let entries = 0;
  let cursor = after;
  for (;;) {
    const page = await store.changes(collection, { after: cursor, limit: pageSize, withData: true, ...(grant ? { channels: grant } : {}) });
    entries += page.entries.length;
    cursor = page.checkpoint;
    if (!page.hasMore) return { entries, checkpoint: cursor };
  }
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

async function repeat(fn: () => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push((await timed(fn)).ms);
  return times;
}

function integer(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${text}`);
  return value;
}
