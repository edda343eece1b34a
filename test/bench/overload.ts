import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { dropSchema } from '../support/postgres.js';
import { serve } from '../support/serve.js';
import { itemIds, random } from './data.js';

/**
 * The overload bench (issue 12, finding 9): `halsync serve` on PostgreSQL, the package's `bin`
 * as a child process with its default limits, under `concurrency` PUTs of a body of about
 * `bodyBytes` each, every one re-sent as soon as it is answered, for `seconds`. Per kind of
 * PUT: how the node answered, its peak RSS (VmHWM) against its in-flight body budget, what it
 * wrote to stdout and stderr meanwhile, and whether it still answers `GET /` afterwards. Each
 * kind runs on a node of its own over a fresh PostgreSQL schema, dropped afterwards.
 */
export interface OverloadOptions {
  /** A PostgreSQL URL; the bench sets its own `schema` on it and touches nothing else. */
  pg: string;
  seconds: number;
  concurrency: number;
  bodyBytes: number;
  kinds?: readonly OverloadKindName[];
  /** Extra `halsync serve` flags (none: the defaults, as an operator starts it). */
  serveArgs?: string[];
  /** The node's V8 old-space limit in MiB (`--max-old-space-size`; none: V8's own, sized by the machine). */
  heapMiB?: number;
}

/**
 * `sync-log`: a sync log of about 1 KB entries, applied inside the request; `sync-log-job`: one
 * of about 250-byte entries, more than the async threshold, so applied as a job after a 202;
 * `item`: one item of about 1 KB records.
 */
export type OverloadKindName = 'sync-log' | 'sync-log-job' | 'item';

export interface OverloadRun {
  kind: OverloadKindName;
  /** What one PUT's body is: its size, and for a sync log its entries. */
  bodyBytes: number;
  entries: number;
  puts: number;
  ok: number;
  /** 503 answers, and how many of them carried Retry-After. */
  unavailable: number;
  retryAfter: number;
  tooLarge: number;
  /** Any other status, by status. */
  other: Record<string, number>;
  /** Connections that ended before any answer (the node closed or reset them), by error code. */
  noAnswer: Record<string, number>;
  /** Request bytes the client wrote: what the node was offered. */
  uploadBytes: number;
  seconds: number;
  peakRss: number;
  /** Lines the node wrote to stdout and stderr from the first PUT until after the last answer. */
  logLines: number;
  stackLines: number;
  firstLogLines: string[];
  /** The status of `GET /` after the load (0: no answer). */
  rootAfter: number;
  /** The node's exit code when stopped (SIGTERM), null when it died of a signal first. */
  exitCode: number | null;
}

/** The environment's PostgreSQL: BENCH_PG, else HALSYNC_TEST_PG (the tests'), else a local default. */
export function benchPostgres(): string {
  return process.env.BENCH_PG || process.env.HALSYNC_TEST_PG || 'postgres://postgres@127.0.0.1:5432/test';
}

export async function runOverload(options: OverloadOptions): Promise<OverloadRun[]> {
  const runs: OverloadRun[] = [];
  const prefix = `halsync_bench_${randomBytes(4).toString('hex')}`;
  for (const kind of options.kinds ?? ['sync-log', 'item']) {
    const schema = `${prefix}_${kind.replaceAll('-', '_')}`;
    const store = new URL(options.pg);
    store.searchParams.set('schema', schema);
    try {
      runs.push(await runKind(kind, store.toString(), options));
    } finally {
      await dropSchema(schema, options.pg);
    }
  }
  return runs;
}

async function runKind(kind: OverloadKindName, store: string, options: OverloadOptions): Promise<OverloadRun> {
  const body = kind === 'item' ? itemBody(options.bodyBytes) : syncLogBody(options.bodyBytes, kind === 'sync-log' ? 880 : 130);
  const node = serve(
    ['--store', store, '--port', '0', '--host', '127.0.0.1', ...(options.serveArgs ?? [])],
    options.heapMiB ? { env: { NODE_OPTIONS: `--max-old-space-size=${options.heapMiB}` } } : {},
  );
  const url = await node.started;
  const peak = new PeakRss(node.child.pid!);
  const logStart = { out: node.stdout().length, err: node.stderr().length };
  const run: OverloadRun = {
    kind,
    bodyBytes: body.length,
    entries: body.entries,
    puts: 0,
    ok: 0,
    unavailable: 0,
    retryAfter: 0,
    tooLarge: 0,
    other: {},
    noAnswer: {},
    uploadBytes: 0,
    seconds: 0,
    peakRss: 0,
    logLines: 0,
    stackLines: 0,
    firstLogLines: [],
    rootAfter: 0,
    exitCode: null,
  };
  try {
    const started = performance.now();
    const until = started + options.seconds * 1000;
    let sequence = 0;
    const worker = async () => {
      while (performance.now() < until && node.child.exitCode === null) {
        const answer = await put(url, kind, body, sequence++);
        run.puts++;
        run.uploadBytes += answer.bytesWritten;
        if (answer.status === 0) run.noAnswer[answer.error] = (run.noAnswer[answer.error] ?? 0) + 1;
        else if (answer.status >= 200 && answer.status < 300) run.ok++;
        else if (answer.status === 503) {
          run.unavailable++;
          if (answer.retryAfter) run.retryAfter++;
        } else if (answer.status === 413) run.tooLarge++;
        else run.other[answer.status] = (run.other[answer.status] ?? 0) + 1;
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    run.seconds = (performance.now() - started) / 1000;
    run.rootAfter = await getRoot(url);
    const lines = [...logLines(node.stdout().slice(logStart.out)), ...logLines(node.stderr().slice(logStart.err))];
    run.logLines = lines.length;
    run.stackLines = lines.filter((line) => line.startsWith('    at ')).length;
    run.firstLogLines = lines.slice(0, 5);
    run.peakRss = peak.read();
  } finally {
    peak.stop();
    run.exitCode = await node.stop();
  }
  return run;
}

interface Body {
  length: number;
  entries: number;
  /** The body in pieces, each written as it is; `ids` are the offsets of item ids in a piece. */
  pieces: Array<{ bytes: Buffer; ids: number[] }>;
}

const PIECE_BYTES = 64 * 1024;

/**
 * A sync log of new items (`base: null`), as a first push sends them, each with about
 * `dataBytes` of data. Every PUT writes other items: its sequence number replaces the first 8
 * hex digits of each item id (the fingerprint covers the data only), piece by piece as the body
 * is written.
 */
function syncLogBody(bytes: number, dataBytes: number): Body {
  const next = random(7);
  const updatedAt = new Date(Date.now() - 60_000).toISOString();
  const variants = Array.from({ length: 64 }, (_, i) => {
    const data = record(next, i, dataBytes);
    return `","updatedAt":"${updatedAt}","fingerprint":"${fingerprint(data)}","deleted":false,"base":null,"data":${JSON.stringify(data)}}`;
  });
  const entrySize = 12 + 36 + variants[0]!.length;
  const count = Math.floor((bytes - 20) / (entrySize + 1));
  const ids = itemIds(count, 5);
  const pieces: Body['pieces'] = [];
  let text = '{"entries":[';
  let offsets: number[] = [];
  ids.forEach((id, i) => {
    const head = `${i === 0 ? '' : ','}{"itemId":"`;
    offsets.push(Buffer.byteLength(text) + head.length);
    text += `${head}${id}${variants[i % variants.length]}`;
    if (text.length >= PIECE_BYTES) {
      pieces.push({ bytes: Buffer.from(text), ids: offsets });
      [text, offsets] = ['', []];
    }
  });
  pieces.push({ bytes: Buffer.from(`${text}]}`), ids: offsets });
  return { length: pieces.reduce((sum, p) => sum + p.bytes.length, 0), entries: count, pieces };
}

/** One item whose data is about `bytes` of 1 KB records: a large document. */
function itemBody(bytes: number): Body {
  const next = random(9);
  const rows: Json[] = [];
  let size = 20;
  for (let i = 0; size < bytes - 1200; i++) {
    const row = record(next, i, 1000);
    size += JSON.stringify(row).length + 1;
    rows.push(row);
  }
  const all = Buffer.from(JSON.stringify({ data: { rows } }));
  const pieces: Body['pieces'] = [];
  for (let at = 0; at < all.length; at += PIECE_BYTES) pieces.push({ bytes: all.subarray(at, at + PIECE_BYTES), ids: [] });
  return { length: all.length, entries: 0, pieces };
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** A record of about `bytes` of JSON. */
function record(next: () => number, i: number, bytes: number): Json {
  const word = () => WORDS[Math.floor(next() * WORDS.length)]!;
  const base = { i, title: `${word()} ${word()}`, owner: `${word()}@example.org`, priority: Math.floor(next() * 5), tags: [word(), word()] };
  let note = '';
  while (note.length < bytes - JSON.stringify(base).length - 12) note += `${word()} `;
  return { ...base, note };
}

interface Answer {
  status: number;
  retryAfter: boolean;
  bytesWritten: number;
  error: string;
}

/** One PUT on a connection of its own; writing stops once the node has answered. */
function put(root: string, kind: OverloadKindName, body: Body, sequence: number): Promise<Answer> {
  const prefix = sequence.toString(16).padStart(8, '0');
  const path = kind !== 'item' ? 'items/transactions' : `items/${prefix}-0000-4000-8000-000000000000`;
  return new Promise((resolve) => {
    let answered = false;
    const answer: Answer = { status: 0, retryAfter: false, bytesWritten: 0, error: '' };
    const finish = () => {
      answer.bytesWritten = req.socket?.bytesWritten ?? 0;
      req.destroy();
      resolve(answer);
    };
    const req = http.request(
      new URL(path, root),
      { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': body.length } },
      (res) => {
        answered = true;
        answer.status = res.statusCode ?? 0;
        answer.retryAfter = res.headers['retry-after'] !== undefined;
        res.resume();
        res.once('end', finish);
        res.once('error', finish);
      },
    );
    req.once('error', (error: NodeJS.ErrnoException) => {
      if (answered) return;
      answer.error = error.code ?? error.message;
      finish();
    });
    void (async () => {
      for (const piece of body.pieces) {
        if (answered || req.destroyed) return;
        let bytes = piece.bytes;
        if (piece.ids.length > 0) {
          bytes = Buffer.from(bytes);
          for (const at of piece.ids) bytes.write(prefix, at, 'latin1');
        }
        if (!req.write(bytes)) await writable(req);
      }
      if (!answered && !req.destroyed) req.end();
    })();
  });
}

/** Resolves once the request drains or closes, whichever comes first. */
function writable(req: http.ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done);
      req.off('close', done);
      resolve();
    };
    req.on('drain', done);
    req.on('close', done);
  });
}

function getRoot(root: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(root, { agent: false, headers: { Accept: 'application/hal+json' } }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.setTimeout(10_000, () => req.destroy());
  });
}

/** The lines of a process's output, each counted once it ends with a newline. */
function logLines(text: string): string[] {
  return text.split('\n').slice(0, -1);
}

/** The child's VmHWM, read every 100 ms so the last reading stands if it dies. */
class PeakRss {
  private rss = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(private readonly pid: number) {
    this.timer = setInterval(() => this.sample(), 100);
  }
  private sample(): void {
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'));
      if (hwm) this.rss = Math.max(this.rss, Number(hwm[1]) * 1024);
    } catch {
      // Gone: the last reading stands.
    }
  }
  read(): number {
    this.sample();
    return this.rss;
  }
  stop(): void {
    clearInterval(this.timer);
  }
}
