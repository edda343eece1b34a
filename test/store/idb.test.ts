import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { launchChromium, noNodeBuiltins, requireChromium } from '../support/browser.js';
import type { BrowserResult } from './idb-page.js';
import type { TabApi } from './idb-tab.js';

/** What the tab page's globals look like from page.evaluate. */
type TabWindow = typeof globalThis & { halsync: TabApi; told: unknown[]; note?: unknown };

/**
 * IdbStore in a real headless Chromium (Debian's package, as test/server/resources/browser.test.ts
 * drives it): test/store/idb-page.ts, bundled here for the browser, runs the store conformance
 * suite and the local API suite unchanged under mocha's browser build, and each of its results
 * is checked below. The bundle may import no Node built-in: the build fails on any `node:`.
 */
const ENTRY = fileURLToPath(new URL('./idb-page.js', import.meta.url));
const TAB_ENTRY = fileURLToPath(new URL('./idb-tab.js', import.meta.url));
const SOURCES = new URL('../../../test/store/', import.meta.url);
const SUITES = ['conformance.ts', 'conflicts-conformance.ts', 'scopes-conformance.ts', 'local-conformance.ts'];
const MOCHA = fileURLToPath(new URL('../../../node_modules/mocha/mocha.js', import.meta.url));

async function bundle(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  return result.outputFiles[0]!.text;
}

const PAGE = `<!doctype html><meta charset="utf-8"><title>IdbStore conformance</title>
<script src="/mocha.js"></script>
<script>mocha.setup({ ui: 'bdd', timeout: 20000, reporter: function () {} });</script>
<script type="module" src="/suite.js"></script>`;
const TAB = `<!doctype html><meta charset="utf-8"><title>a tab</title><script type="module" src="/tab.js"></script>`;

/** Serves the page, mocha and the bundle on loopback: a secure context, as IndexedDB and crypto.randomUUID want. */
async function serve(files: Record<string, [string, string]>): Promise<Server> {
  const server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    if (!file) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file[0] }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe('IdbStore in Chromium', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let server: Server | undefined;
  let results: BrowserResult[] = [];
  let origin = '';

  before(async function () {
    requireChromium(this);
    const [suite, tab, mocha] = await Promise.all([bundle(ENTRY), bundle(TAB_ENTRY), readFile(MOCHA, 'utf8')]);
    server = await serve({
      '/': ['text/html; charset=utf-8', PAGE],
      '/mocha.js': ['text/javascript', mocha],
      '/suite.js': ['text/javascript', suite],
      '/tab': ['text/html; charset=utf-8', TAB],
      '/tab.js': ['text/javascript', tab],
    });
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await page.goto(`${origin}/`);
    const done = await page
      .waitForFunction(() => (window as unknown as { halsyncResults?: BrowserResult[] }).halsyncResults, undefined, { timeout: 150_000 })
      .catch((e: unknown) => new Error(`the page never finished its tests: ${String(e)}; page errors: ${errors.join('; ') || 'none'}`));
    if (done instanceof Error) throw done;
    results = (await done.jsonValue()) as BrowserResult[];
  });

  after(async function () {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  it('bundles the suite and IdbStore for the browser with no Node built-in', async function () {
    const failing = await build({
      stdin: { contents: "import 'node:fs'; import 'path';", resolveDir: process.cwd() },
      bundle: true,
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [noNodeBuiltins],
    }).catch((e: Error) => e);
    expect(failing, 'the check catches a node: import').to.be.instanceOf(Error);
    expect((failing as Error).message).to.match(/node:fs, which a browser does not have/);
    expect((failing as Error).message).to.match(/imports path, which a browser does not have/);
    expect(results.length).to.be.greaterThan(0);
  });

  it('passes every test of the store conformance and local API suites, skipping none', async function () {
    const failed = results.filter((r) => r.state === 'failed');
    const skipped = results.filter((r) => r.state === 'pending');
    const report = failed.map((r) => `✗ ${r.title}\n${r.error}`).join('\n\n');
    expect(failed, `${failed.length} of ${results.length} browser tests failed:\n\n${report}`).to.deep.equal([]);
    expect(
      skipped.map((r) => r.title),
      'skipped in the browser',
    ).to.deep.equal([]);
    // Every test the suites define ran here: counted in their sources.
    const defined = await Promise.all(SUITES.map(async (file) => (await readFile(new URL(file, SOURCES), 'utf8')).match(/^\s*it\(/gm)?.length ?? 0));
    const ran = (prefix: string) => results.filter((r) => r.title.startsWith(prefix)).length;
    expect([ran('store conformance: idb'), ran('LocalItems over idb')]).to.deep.equal([defined[0]! + defined[1]! + defined[2]!, defined[3]!]);
  });

  it("tells one tab of another tab's writes, and keeps the data across a reload", async function () {
    const context = await browser!.newContext();
    try {
      const [one, two] = [await context.newPage(), await context.newPage()];
      await Promise.all([one.goto(`${origin}/tab`), two.goto(`${origin}/tab`)]);
      for (const tab of [one, two]) await tab.waitForFunction(() => 'halsync' in window);
      await one.evaluate(async () => {
        const w = window as unknown as TabWindow;
        w.told = [];
        const local = new w.halsync.LocalItems(await w.halsync.IdbStore.open('tabs'));
        await local.subscribe('notes', (changes) => w.told.push(...changes));
      });
      const itemId = '00000000-0000-4000-8000-00000000d001';
      await two.evaluate(async (id) => {
        const w = window as unknown as TabWindow;
        await new w.halsync.LocalItems(await w.halsync.IdbStore.open('tabs')).put('notes', id, { text: 'from tab two' });
      }, itemId);
      const told = await one.waitForFunction(() => (window as unknown as TabWindow).told.length > 0 && (window as unknown as TabWindow).told, undefined, {
        timeout: 5000,
      });
      const changes = (await told.jsonValue()) as Array<{ itemId: string; deleted: boolean; item: { data: unknown; fingerprint: string } }>;
      expect(changes.map((c) => [c.itemId, c.deleted, c.item.data, c.item.fingerprint])).to.deep.equal([
        [itemId, false, { text: 'from tab two' }, fingerprint({ text: 'from tab two' })],
      ]);

      await one.reload();
      await one.waitForFunction(() => 'halsync' in window);
      const kept = await one.evaluate(async (id) => {
        const w = window as unknown as TabWindow;
        return new w.halsync.LocalItems(await w.halsync.IdbStore.open('tabs')).get('notes', id);
      }, itemId);
      expect(kept).to.include({ itemId, fingerprint: fingerprint({ text: 'from tab two' }) });
    } finally {
      await context.close();
    }
  });
});
