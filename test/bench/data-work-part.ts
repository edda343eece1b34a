import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { canonicalJson, fingerprint, sha1Hex } from '../../lib/protocol/fingerprint.js';
import { GZIP_LEVEL, ZLIB_CHUNK } from '../../lib/protocol/compression.js';
import type { Json } from '../../lib/protocol/types.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { ChangesPage, ChangesQuery, Write } from '../../lib/store/store.js';

/**
 * One part of phase A's data work (test/bench/data-work.ts), in a process of its own so it runs
 * as cold as the node or the command it stands for. Only the part's work is timed (CPU, after
 * every import and before any file is written); what it hands on goes through files in <dir>.
 *   b <dir> <size>      reads every item with its data from <dir>/b.db, <size> a page,
 *                       serialises each page as JSON and gzips it (pages/<i>.gz);
 *   sync <dir> <pages>  gunzips and parses each page, checks every fingerprint, serialises each
 *                       page as a sync log and gzips it (logs/<i>.gz);
 *   a <dir> <pages>     gunzips and parses each sync log, checks every fingerprint on the text it
 *                       writes, and applies each log in one transaction to a new <dir>/a.db; then,
 *                       untimed, reads the store back to prove it holds every version it was sent.
 * It answers `{ cpuMs, versions }` over the IPC channel.
 */

export interface PartResult {
  cpuMs: number;
  /** Versions the part handled (B read, the sync checked, A wrote). */
  versions: number;
}

interface Version {
  itemId: string;
  updatedAt: string;
  fingerprint: string;
  data: Json;
}

const COLLECTION = 'items';
const GZIP = { level: GZIP_LEVEL, chunkSize: ZLIB_CHUNK };
const [part, dir, page] = process.argv.slice(2);

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

async function readParts(kind: 'pages' | 'logs', count: number): Promise<Buffer[]> {
  return Promise.all(Array.from({ length: count }, (_, i) => readFile(join(dir!, kind, `${i}.gz`))));
}

async function writeParts(kind: 'pages' | 'logs', parts: readonly Buffer[]): Promise<void> {
  await Promise.all(parts.map((bytes, i) => writeFile(join(dir!, kind, `${i}.gz`), bytes)));
}

/** A store's whole log, a page at a time, oldest first. */
async function* logPages(store: SqliteStore, query: Pick<ChangesQuery, 'limit' | 'withData' | 'dataAsJson'>): AsyncGenerator<ChangesPage> {
  for (let after = 0, more = true; more;) {
    const changes = await store.changes(COLLECTION, { ...query, after });
    yield changes;
    [after, more] = [changes.checkpoint, changes.hasMore];
  }
}

/** Node B's part: the log read with data, as text, and each page's JSON. */
async function partB(pageSize: number): Promise<{ result: PartResult; pages: number }> {
  const store = SqliteStore.open(join(dir!, 'b.db'));
  const start = cpuMs();
  const zipped: Buffer[] = [];
  let versions = 0;
  for await (const changes of logPages(store, { limit: pageSize, withData: true, dataAsJson: true })) {
    const entries = changes.entries.map(
      (e) =>
        `{"itemId":${JSON.stringify(e.itemId)},"updatedAt":"${e.updatedAt}","fingerprint":"${e.fingerprint}","data":${e.dataJson ?? JSON.stringify(e.data ?? null)}}`,
    );
    zipped.push(gzipSync(`{"entries":[${entries.join(',')}]}`, GZIP));
    versions += entries.length;
  }
  const result = { cpuMs: cpuMs() - start, versions };
  await store.close();
  await writeParts('pages', zipped);
  return { result, pages: zipped.length };
}

/** The command's part: what it must do to every pulled version before it pushes it on. */
async function partSync(pages: number): Promise<PartResult> {
  const input = await readParts('pages', pages);
  const start = cpuMs();
  let versions = 0;
  const zipped = input.map((bytes) => {
    const { entries } = JSON.parse(gunzipSync(bytes, GZIP).toString()) as { entries: Version[] };
    for (const entry of entries) if (fingerprint(entry.data) !== entry.fingerprint) throw new Error(`item ${entry.itemId}: fingerprint mismatch`);
    versions += entries.length;
    const log = entries.map((e) => ({ itemId: e.itemId, updatedAt: e.updatedAt, fingerprint: e.fingerprint, deleted: false, base: null, data: e.data }));
    return gzipSync(JSON.stringify({ entries: log }), GZIP);
  });
  const result = { cpuMs: cpuMs() - start, versions };
  await writeParts('logs', zipped);
  return result;
}

/** Node A's part: what it must do to every version it receives before and while it writes it. */
async function partA(pages: number): Promise<PartResult> {
  const store = SqliteStore.open(join(dir!, 'a.db'));
  const input = await readParts('logs', pages);
  const sent = new Map<string, string>();
  const start = cpuMs();
  for (const bytes of input) {
    const { entries } = JSON.parse(gunzipSync(bytes, GZIP).toString()) as { entries: Version[] };
    const writes = entries.map((entry): Write => {
      const dataJson = canonicalJson(entry.data);
      if (sha1Hex(dataJson) !== entry.fingerprint) throw new Error(`item ${entry.itemId}: fingerprint mismatch`);
      return {
        itemId: entry.itemId,
        deleted: false,
        data: entry.data,
        fingerprint: entry.fingerprint,
        updatedAt: entry.updatedAt,
        precondition: { kind: 'base', fingerprint: null },
        dataJson,
      };
    });
    const outcome = await store.apply(COLLECTION, writes);
    if (!outcome.ok) throw new Error('node A refused a sync log');
    for (const w of writes) sent.set(w.itemId, w.fingerprint);
  }
  const result = { cpuMs: cpuMs() - start, versions: sent.size };
  await proveWritten(store, sent);
  await store.close();
  return result;
}

/** Untimed: every version sent is in A's log, with its fingerprint, and nothing else is. */
async function proveWritten(store: SqliteStore, sent: ReadonlyMap<string, string>): Promise<void> {
  let found = 0;
  for await (const changes of logPages(store, { limit: 1000, withData: false })) {
    for (const entry of changes.entries) {
      if (sent.get(entry.itemId) !== entry.fingerprint) throw new Error(`node A holds item ${entry.itemId} with a fingerprint it was not sent`);
      found++;
    }
  }
  if (found !== sent.size) throw new Error(`node A holds ${found} of the ${sent.size} versions it was sent`);
}

async function run(): Promise<PartResult & { pages?: number }> {
  if (part === 'b' && dir && page) {
    const { result, pages } = await partB(Number(page));
    return { ...result, pages };
  }
  if (part === 'sync' && dir && page) return partSync(Number(page));
  if (part === 'a' && dir && page) return partA(Number(page));
  throw new Error('usage: data-work-part.js b <dir> <page size> | sync <dir> <pages> | a <dir> <pages>');
}

process.send!(await run());
