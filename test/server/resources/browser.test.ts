import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { syncStore } from '../../../lib/client/connect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { newId, put } from '../../support/sync.js';

/**
 * The HAL browser (lib/server/resources/browser.ts) in a real headless Chromium — Debian's package,
 * never a downloaded build. Under CI a missing Chromium fails the run; elsewhere the tests
 * are skipped, saying why. Screenshots land in test-output/ (gitignored).
 */
const CHROMIUM = '/usr/bin/chromium';
const OUTPUT = fileURLToPath(new URL('../../../../test-output/', import.meta.url));
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Waits until the page has fetched and rendered its document. */
async function rendered(page: Page): Promise<string> {
  await page.waitForSelector('body:not([data-state="loading"])');
  return (await page.getAttribute('body', 'data-state'))!;
}

describe('HAL browser', function () {
  this.timeout(60_000);
  let browser: Browser;
  let node: StartedNode;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      if (process.env['CI']) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => browser?.close());

  beforeEach(async () => {
    node = await startNode();
    for (const data of [{ title: 'first' }, { title: 'second' }]) {
      const created = await request(`${node.url}items`, { method: 'POST', body: { data } });
      expect(created.status).to.equal(201);
    }
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page?.close();
    await node?.close();
  });

  it('clicks from the root to a collection, its log and an item', async () => {
    await page.goto(node.url);
    expect(await rendered(page)).to.equal('ready');
    expect(await page.textContent('h1')).to.equal('halsync');
    await page.screenshot({ path: `${OUTPUT}browser-root.png`, fullPage: true });

    // Root → collection: an ordinary link, so the address bar follows.
    await page.click('tr[data-rel="sync:collection"] td a');
    await page.waitForURL(`${node.url}items`);
    expect(await rendered(page)).to.equal('ready');
    expect(await page.textContent('h1')).to.equal('items');
    const describedBy = await page.getAttribute('tr[data-rel="describedby"] td a', 'href');
    expect(describedBy).to.equal(`${node.url}schemas/items`);

    // Collection → log: a templated link, expanded in the page from its form.
    const form = page.locator('tr[data-rel="sync:transactions"] form');
    for (const name of ['earliest', 'cursor', 'limit', 'embed']) {
      expect(await form.getByLabel(name, { exact: true }).count(), `a labelled field for ${name}`).to.equal(1);
    }
    await form.getByLabel('embed', { exact: true }).fill('data');
    await form.getByRole('button', { name: 'Go' }).click();
    await page.waitForURL(`${node.url}items/transactions?embed=data`);
    expect(await rendered(page)).to.equal('ready');
    const entries = page.locator('ol[data-rel="sync:entry"] > li');
    expect(await entries.count()).to.equal(2);
    expect((await entries.nth(0).textContent())!).to.match(/"first"/);
    await page.screenshot({ path: `${OUTPUT}browser-log.png`, fullPage: true });

    // Log entry → item.
    await entries.nth(1).locator('tr[data-rel="sync:item"] td a').click();
    await page.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    expect(await rendered(page)).to.equal('ready');
    const properties = await page.locator('table.properties').first().textContent();
    expect(properties!).to.match(/itemId/);
    expect(properties!).to.match(/"second"/);
    expect((await page.textContent('#where'))!).to.match(/ETag: "[0-9a-f]{40}"/);
    await page.screenshot({ path: `${OUTPUT}browser-item.png`, fullPage: true });

    // Every form field of every page visited has a label.
    expect(await page.locator('input:not([id])').count()).to.equal(0);
  });

  it('fills a templated item link and shows a 404 problem document', async () => {
    await page.goto(`${node.url}items`);
    await rendered(page);
    const form = page.locator('tr[data-rel="sync:item"] form');
    await form.getByLabel('itemId', { exact: true }).fill('6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b');
    await form.getByRole('button', { name: 'Go' }).click();
    await page.waitForURL(`${node.url}items/6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b`);
    expect(await rendered(page)).to.equal('problem');
    const alert = page.getByRole('alert');
    expect((await alert.textContent())!).to.match(/404 Not found/);
    expect((await alert.textContent())!).to.match(/has no item/);
    await page.screenshot({ path: `${OUTPUT}browser-problem.png`, fullPage: true });
  });

  it('browses from a collection to its conflicts and restores a losing version with its button', async () => {
    const remote = await startNode();
    try {
      const id = newId();
      await put(node.store, id, { title: 'base' }, '2026-03-01T10:00:00.000Z');
      await syncStore(node.store, remote.url);
      await put(node.store, id, { title: 'kept here' }, '2026-03-01T10:01:05.000Z');
      await put(remote.store, id, { title: 'lost there' }, '2026-03-01T10:01:00.000Z');
      await syncStore(node.store, remote.url);
    } finally {
      await remote.close();
    }
    await page.goto(`${node.url}items`);
    await rendered(page);
    await page.click('tr[data-rel="sync:conflicts"] td a');
    await page.waitForURL(`${node.url}items/conflicts`);
    expect(await rendered(page)).to.equal('ready');
    const records = page.locator('ol[data-rel="sync:conflict"] > li');
    expect(await records.count()).to.equal(1);
    const text = (await records.nth(0).textContent())!;
    for (const shown of [/"newer"/, /"kept here"/, /"lost there"/]) expect(text).to.match(shown);
    await page.screenshot({ path: `${OUTPUT}browser-conflicts.png`, fullPage: true });

    await records.nth(0).getByRole('button', { name: 'Restore the remote version' }).click();
    await page.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    expect(await rendered(page)).to.equal('ready');
    expect((await page.locator('table.properties').first().textContent())!).to.match(/"lost there"/);
  });

  it('the same URLs still answer HAL to a client, and vary on Accept', async () => {
    const entry = (await request(`${node.url}items/transactions`, { headers: { Accept: 'application/hal+json' } })).json._embedded['sync:entry'][0];
    for (const url of [node.url, `${node.url}items`, `${node.url}items/transactions`, entry.itemURI as string]) {
      const hal = await request(url, { headers: { Accept: 'application/hal+json' } });
      expect(hal.status, url).to.equal(200);
      expect(hal.headers['content-type']!, url).to.match(/^application\/hal\+json/);
      expect(hal.json._links.self.href.startsWith(node.url), url).to.equal(true);
      expect(hal.headers.vary!, url).to.match(/\bAccept\b/i);
      const html = await request(url, { headers: { Accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect(html.status, url).to.equal(200);
      expect(html.headers['content-type']!, url).to.match(/^text\/html/);
      expect(html.headers.vary!, url).to.match(/\bAccept\b/i);
      expect(html.text).to.match(/^<!doctype html>/);
    }
  });
});
