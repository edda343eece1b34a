import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Context } from 'koa';
import { syncStore } from '../../lib/client/connect.js';
import { createApp } from '../../lib/server/app.js';
import type { Principal } from '../../lib/server/principal.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { middle } from './middle.js';

/**
 * The scoped log over HTTP (issue 13), on the store test/bench/scopes.ts filled: a node serving
 * `notes` (channels at `/owner`) and `small` (100 items without channels), a principal granted
 * one channel of `notes`, the administrator for `small`. Figures: a first sync and a no-op sync
 * of each into a fresh memory store, log reads per second for the same page size (each page
 * holding the same 100 entries), and the node's heap while the scoped reads run.
 */
export interface HttpFigureOptions {
  store: Store;
  /** The one channel the scoped principal reads. */
  channel: string;
  runs: number;
  /** Seconds of log reads per kind. */
  loadSeconds: number;
}

export async function printHttpFigures(options: HttpFigureOptions): Promise<void> {
  const principals: Record<string, Principal> = {
    one: { id: 'one', kind: 'scoped', grants: { notes: { read: [options.channel], write: [options.channel] } } },
    warm: { id: 'warm', kind: 'scoped', grants: { notes: { read: ['user:7'], write: [] } } },
    admin: { id: 'admin', kind: 'all', grants: {} },
  };
  const authenticate = (ctx: Context) => principals[/^Bearer (\S+)$/.exec(ctx.get('Authorization'))?.[1] ?? ''] ?? null;
  const stop = new AbortController();
  const app = createApp({
    store: options.store,
    collections: [
      { name: 'notes', channels: '/owner' },
      { name: 'small', channels: '/owner' },
    ],
    authenticate,
    signal: stop.signal,
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  try {
    // Warms the process (JIT, the statements) on another channel, so the first of the timed syncs is not also the process's first.
    await syncStore(new MemoryStore(), url, { token: 'warm', collections: ['notes'] });
    const rows: string[][] = [];
    for (const [what, token, collection] of [
      ['scoped, 1 channel of notes', 'one', 'notes'],
      ['unscoped, 100-item collection', 'admin', 'small'],
    ] as const) {
      const local = new MemoryStore();
      const first = await timed(() => syncStore(local, url, { token, collections: [collection] }));
      const noop: number[] = [];
      for (let i = 0; i < options.runs; i++) noop.push((await timed(() => syncStore(local, url, { token, collections: [collection] }))).ms);
      const again: number[] = [];
      for (let i = 0; i < 5; i++) again.push((await timed(() => syncStore(new MemoryStore(), url, { token, collections: [collection] }))).ms);
      rows.push([what, first.ms.toFixed(1), middle(again).toFixed(1), middle(noop).toFixed(2), String(first.result.pulled)]);
    }
    console.log('\nHTTP sync (node on loopback, client into a memory store)');
    console.log(['sync', 'first ms', 'first sync again, median of 5 ms', `no-op median of ${options.runs} ms`, 'pulled'].join(' | '));
    for (const row of rows) console.log(row.join(' | '));

    console.log(`\nHTTP log reads, page of 100 with embed=data, one connection, ${options.loadSeconds} s each`);
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const heap = { before: process.memoryUsage().heapUsed, peak: 0 };
    const sampler = setInterval(() => (heap.peak = Math.max(heap.peak, process.memoryUsage().heapUsed)), 20);
    const rates: Record<string, number> = {};
    for (const [what, token, collection] of [
      ['scoped, 1 channel', 'one', 'notes'],
      ['unscoped, 100 items', 'admin', 'small'],
    ] as const) {
      rates[what] = await readsPerSecond(agent, `${url}${collection}/transactions?limit=100&embed=data`, token, options.loadSeconds);
      console.log(`${what}: ${rates[what]!.toFixed(0)} requests/s`);
    }
    clearInterval(sampler);
    agent.destroy();
    const ratio = rates['scoped, 1 channel']! / rates['unscoped, 100 items']!;
    console.log(`scoped / unscoped: ${(ratio * 100).toFixed(0)} % (issue 13 asks ≥ 50 %)`);
    console.log(`node heap during the reads: ${mib(heap.before)} MiB before, ${mib(heap.peak)} MiB at most (same process as the client)`);
  } finally {
    stop.abort();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

async function readsPerSecond(agent: Agent, url: string, token: string, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  let count = 0;
  while (performance.now() < end) {
    await get(agent, url, token);
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

function get(agent: Agent, url: string, token: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let entries = 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`${url}: ${res.statusCode}`));
        entries = (JSON.parse(Buffer.concat(chunks).toString('utf8'))._embedded['sync:entry'] as unknown[]).length;
        if (entries !== 100) return reject(new Error(`${url}: ${entries} entries, not 100`));
        resolve();
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await fn();
  return { ms: performance.now() - start, result };
}

function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(0);
}
