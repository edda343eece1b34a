import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';
import type { BrowserResult } from './idb-page.js';

/**
 * IdbStore in a real headless Chromium (Debian's package, as test/server/resources/browser.test.ts
 * drives it): test/store/idb-page.ts, bundled here for the browser, runs the store conformance
 * suite and the local API suite unchanged under mocha's browser build, and each of its results
 * is checked below. The bundle may import no Node built-in: the build fails on any `node:`.
 */
const CHROMIUM = '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const ENTRY = fileURLToPath(new URL('./idb-page.js', import.meta.url));
const SOURCES = new URL('../../../test/store/', import.meta.url);
const SUITES = ['conformance.ts', 'conflicts-conformance.ts', 'local-conformance.ts'];
const MOCHA = fileURLToPath(new URL('../../../node_modules/mocha/mocha.js', import.meta.url));

/** Fails the build on any Node built-in, named with the module that imports it. */
export const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ errors: [{ text: `${args.importer} imports ${args.path}, which a browser does not have` }] }));
  },
};

async function bundle(): Promise<string> {
  const result = await build({
    entryPoints: [ENTRY],
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

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env['CI']) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
      this.skip();
    }
    const [suite, mocha] = await Promise.all([bundle(), readFile(MOCHA, 'utf8')]);
    server = await serve({
      '/': ['text/html; charset=utf-8', PAGE],
      '/mocha.js': ['text/javascript', mocha],
      '/suite.js': ['text/javascript', suite],
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
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
      stdin: { contents: "import 'node:fs';", resolveDir: process.cwd() },
      bundle: true,
      platform: 'browser',
      write: false,
      logLevel: 'silent',
      plugins: [noNodeBuiltins],
    }).catch((e: Error) => e);
    expect(failing, 'the check catches a node: import').to.be.instanceOf(Error);
    expect((failing as Error).message).to.match(/node:fs, which a browser does not have/);
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
    expect([ran('store conformance: idb'), ran('LocalItems over idb')]).to.deep.equal([defined[0]! + defined[1]!, defined[2]!]);
  });
});
