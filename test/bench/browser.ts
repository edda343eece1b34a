/**
 * `npm run bench:browser`: the browser figures of issue 14, printed, not asserted. In headless
 * Chromium (Debian's, through playwright-core), a page loads dist/browser/halsync.js and syncs
 * a node of ITEMS items (memory store, --cors for the page's origin) into IndexedDB: the first
 * sync (items/s), then a sync with nothing to do (requests, ms); and the bundle's size.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { createApp } from '../../lib/server/app.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Write } from '../../lib/store/store.js';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.js';

const ITEMS = Number(process.env['BENCH_ITEMS'] ?? 10_000);
const BUNDLE = fileURLToPath(new URL('../../browser/halsync.js', import.meta.url));

interface Figures {
  first: { ms: number; pulled: number; requests: number; bytes: number };
  noop: { ms: number; pulled: number; requests: number; bytes: number };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function main(): Promise<void> {
  const bundle = await readFile(BUNDLE);
  const page = createServer((req, res) => {
    if (req.url === '/halsync.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>bench</title>');
  });
  const origin = await listen(page);

  const store = new MemoryStore();
  for (let i = 0; i < ITEMS; i += 1000) {
    const writes: Write[] = [];
    for (let j = i; j < Math.min(i + 1000, ITEMS); j++) {
      const data = { title: `note ${j}`, body: 'x'.repeat(100), n: j };
      writes.push({ itemId: crypto.randomUUID(), data, fingerprint: fingerprint(data), deleted: false, updatedAt: null, precondition: { kind: 'none' } });
    }
    await store.apply('items', writes);
  }
  const stopping = new AbortController();
  const app = createApp({ store, cors: [origin], signal: stopping.signal });
  const node = createServer(app.callback());
  const nodeUrl = `${await listen(node)}/`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const tab = await browser.newPage();
    await tab.goto(`${origin}/`);
    const figures = await tab.evaluate(async (url) => {
      const halsync = (await import(`${location.origin}/halsync.js`)) as typeof import('../../lib/entries/client.js') &
        typeof import('../../lib/entries/idb.js');
      const local = await halsync.IdbStore.open(`bench-${Date.now()}`);
      const run = async () => {
        const started = performance.now();
        const report = await halsync.syncStore(local, url, { collections: ['items'] });
        return { ms: performance.now() - started, pulled: report.pulled, requests: report.requests, bytes: report.bytes };
      };
      const first = await run();
      const noop = await run();
      await local.close();
      return { first, noop };
    }, nodeUrl);
    print(figures as Figures, bundle);
  } finally {
    await browser.close();
    stopping.abort();
    node.closeAllConnections();
    await Promise.all([new Promise((r) => node.close(r)), new Promise((r) => page.close(r))]);
  }
}

function print({ first, noop }: Figures, bundle: Buffer): void {
  const kB = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`browser (headless Chromium, IndexedDB), ${ITEMS} items:`);
  console.log(
    `  first sync: ${first.pulled} pulled in ${first.ms.toFixed(0)} ms = ${Math.round(first.pulled / (first.ms / 1000))} items/s (goal ≥ 5000/s), ${first.requests} requests, ${kB(first.bytes)}`,
  );
  console.log(`  no-op sync: ${noop.requests} requests, ${noop.ms.toFixed(0)} ms, ${kB(noop.bytes)} (pulled ${noop.pulled})`);
  console.log(`  bundle dist/browser/halsync.js: ${kB(bundle.length)} minified, ${kB(gzipSync(bundle, { level: 9 }).length)} gzipped (budget 60 kB)`);
}

await main();
