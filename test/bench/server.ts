import { writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo, Socket } from 'node:net';
import Database from 'better-sqlite3';
import Koa from 'koa';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { createApp } from '../../lib/server/app.js';
import { compress } from '../../lib/server/http/compress.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { Write } from '../../lib/store/store.js';
import { itemData, itemIds, random } from './data.js';
import { MemoryPeak } from './memory.js';

/**
 * The benchmark's server, a child process of the benchmark so its CPU and memory are its own
 * (`process.cpuUsage()` here, the client's in the parent). Two modes:
 *   seed <db> <n>   writes the N items into a new SQLite store and exits (a process of its
 *                   own, so seeding does not count towards the serving process's peak memory);
 *   serve <db>      serves that store as a halsync node and, beside it, the floor: a plain
 *                   node:http server answering one GET with all items' data as one JSON array
 *                   (and, when asked, bare Koa serving one log page from memory).
 * An empty or missing <db> serves an empty node (node A of the node↔node run).
 * It talks to the parent over the IPC channel only; bytes are counted at its own sockets.
 */

export type ServerRequest =
  | { op: 'stats' }
  | { op: 'reset-peak' }
  | { op: 'mutate'; change: Array<[number, number]>; remove: Array<[number, number]>; seed: number; revision: number }
  | { op: 'bare-koa'; page: string }
  | { op: 'profile-start' }
  | { op: 'profile-stop'; file: string }
  | { op: 'exit' };

export interface SocketTraffic {
  /** Bytes the server read: requests, client to server. */
  bytesIn: number;
  /** Bytes the server wrote: responses, server to client. */
  bytesOut: number;
  requests: number;
}

export interface ServerStats {
  /** process.cpuUsage() of the server process, microseconds. */
  cpu: NodeJS.CpuUsage;
  api: SocketTraffic;
  floor: SocketTraffic;
  peak: { rss: number };
}

export interface ServerReady {
  op: 'ready';
  url: string;
  floorUrl: string;
}

/** Where bare Koa serves the page it was given: as Koa would (`raw`), and gzipped at the node's level (`gzip`). */
export interface BareKoaReady {
  op: 'bare-koa';
  raw: string;
  gzip: string;
}

export const SEED_BATCH = 5000;

async function seed(path: string, n: number): Promise<void> {
  const store = SqliteStore.open(path);
  const next = random(7);
  // itemIds(m) is a prefix of itemIds(n): generate in batches so the seeding process stays small.
  const ids = itemIds(n);
  for (let at = 0; at < n; at += SEED_BATCH) {
    const writes: Write[] = ids.slice(at, at + SEED_BATCH).map((itemId) => originWrite(itemId, itemData(next, 0)));
    const outcome = await store.apply('items', writes);
    if (!outcome.ok) throw new Error('seeding refused');
  }
  await store.close();
}

function originWrite(itemId: string, data: Json): Write {
  return { itemId, data, deleted: data === null, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } };
}

class Traffic {
  private readonly sockets = new Set<Socket>();
  private closed = { bytesIn: 0, bytesOut: 0 };
  private requests = 0;

  watch(server: Server): void {
    server.on('request', () => this.requests++);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => {
        this.closed.bytesIn += socket.bytesRead;
        this.closed.bytesOut += socket.bytesWritten;
        this.sockets.delete(socket);
      });
    });
  }

  get stats(): SocketTraffic {
    let { bytesIn, bytesOut } = this.closed;
    for (const socket of this.sockets) {
      bytesIn += socket.bytesRead;
      bytesOut += socket.bytesWritten;
    }
    return { bytesIn, bytesOut, requests: this.requests };
  }
}

/**
 * The floor: what moving the same documents costs with no protocol at all. One GET answers the
 * live items' data as one JSON array, read from the same SQLite file (the data column is JSON
 * already, so the server only joins it); any other path answers `[]`, for the client to open its
 * keep-alive connection before the measured request.
 */
function floorServer(path: string): Server {
  const db = new Database(path, { readonly: true });
  const rows = db.prepare("SELECT data FROM items WHERE collection = 'items' AND deleted = 0 ORDER BY seq").pluck();
  return createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url !== '/') return res.end('[]');
    res.end(`[${(rows.all() as string[]).join(',')}]`);
  });
}

/** Bare Koa answering one page held in memory: the cost of Koa and JSON alone, for the log-read load beside the node's. */
async function bareKoa(pageUrl: string): Promise<BareKoaReady> {
  const page = await fetch(pageUrl, { headers: { accept: 'application/hal+json' } });
  if (!page.ok) throw new Error(`bare Koa: the page answered ${page.status}`);
  const doc = (await page.json()) as Json;
  const serve = (gzip: boolean) => {
    const app = new Koa();
    if (gzip) app.use(compress);
    app.use((ctx) => {
      ctx.type = 'application/hal+json';
      ctx.body = doc;
    });
    return listen(createServer(app.callback()));
  };
  const [raw, gzip] = await Promise.all([serve(false), serve(true)]);
  return { op: 'bare-koa', raw, gzip };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
}

/** A CPU profile of one stretch of this process's life (one phase), written as a .cpuprofile file as --cpu-prof writes them. */
const profiler = {
  session: undefined as Session | undefined,
  async start(): Promise<void> {
    this.session = new Session();
    this.session.connect();
    await this.session.post('Profiler.enable');
    await this.session.post('Profiler.start');
  },
  async stop(file: string): Promise<void> {
    const { profile } = (await this.session!.post('Profiler.stop')) as { profile: object };
    this.session!.disconnect();
    await writeFile(file, JSON.stringify(profile));
  },
};

async function serve(path: string): Promise<void> {
  const store = SqliteStore.open(path);
  const api = createServer(createApp({ store }).callback());
  const floor = floorServer(path);
  const traffic = { api: new Traffic(), floor: new Traffic() };
  traffic.api.watch(api);
  traffic.floor.watch(floor);
  const peak = new MemoryPeak();
  const [url, floorUrl] = await Promise.all([listen(api), listen(floor)]);
  const send = (message: unknown) => process.send!(message);

  process.on('message', async (message: ServerRequest) => {
    switch (message.op) {
      case 'stats':
        send({ op: 'stats', cpu: process.cpuUsage(), api: traffic.api.stats, floor: traffic.floor.stats, peak: peak.read() } satisfies ServerStats & {
          op: string;
        });
        return;
      case 'profile-start':
        await profiler.start();
        send({ op: 'profile-start' });
        return;
      case 'profile-stop':
        await profiler.stop(message.file);
        send({ op: 'profile-stop' });
        return;
      case 'reset-peak':
        peak.reset();
        send({ op: 'reset-peak' });
        return;
      case 'mutate': {
        const ids = itemIds(Math.max(...[...message.change, ...message.remove].map((range) => range[1])));
        const next = random(message.seed);
        const writes = [
          ...message.change.flatMap((range) => ids.slice(...range)).map((id) => originWrite(id, itemData(next, message.revision))),
          ...message.remove.flatMap((range) => ids.slice(...range)).map((id) => originWrite(id, null)),
        ];
        const outcome = await store.apply('items', writes);
        send({ op: 'mutate', ok: outcome.ok });
        return;
      }
      case 'bare-koa':
        send(await bareKoa(message.page));
        return;
      case 'exit':
        peak.stop();
        api.closeAllConnections();
        floor.closeAllConnections();
        api.close();
        floor.close();
        await store.close();
        // process.exit writes the --cpu-prof profile, when one was asked for.
        process.exit(0);
    }
  });
  send({ op: 'ready', url, floorUrl } satisfies ServerReady);
}

const [mode, path, n] = process.argv.slice(2);
if (mode === 'seed' && path && n) {
  await seed(path, Number(n));
} else if (mode === 'serve' && path) {
  await serve(path);
} else {
  process.stderr.write('usage: server.js seed <db> <n> | serve <db>\n');
  process.exit(2);
}
