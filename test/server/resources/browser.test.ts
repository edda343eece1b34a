import { expect } from 'chai';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, requireChromium } from '../../support/browser.js';
import { request } from '../../support/http.js';
import { auditedConflict, startNode, type StartedNode } from '../../support/server.js';

/**
 * The HAL browser (lib/server/resources/browser.ts) in a real headless Chromium — Debian's package,
 * never a downloaded build. Under CI a missing Chromium fails the run; elsewhere the tests
 * are skipped, saying why. Screenshots land in test-output/ (gitignored).
 */
const OUTPUT = fileURLToPath(new URL('../../../../test-output/', import.meta.url));

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
    requireChromium(this);
    browser = await launchChromium();
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
    await auditedConflict(node.store, { title: 'kept here' }, { title: 'lost there' });
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

describe('HAL browser: writes, public pages and mends', function () {
  this.timeout(60_000);
  let browser: Browser;
  let node: StartedNode;
  let page: Page;
  const TOKEN = 'admin-token-0123';
  const SCHEMA = { type: 'object', required: ['title'], properties: { title: { type: 'string', minLength: 1 } } };

  before(async function () {
    requireChromium(this);
    browser = await launchChromium();
    await mkdir(OUTPUT, { recursive: true });
  });
  after(async () => browser?.close());
  beforeEach(async () => {
    page = await browser.newPage();
  });
  afterEach(async () => {
    await page?.close();
    await node?.close();
  });

  /** The page's token prompt, as a stranger to a node with --token meets it. */
  async function signIn(): Promise<void> {
    await page.goto(node.url);
    expect(await rendered(page)).to.equal('problem');
    expect(await page.getByRole('alert').textContent()).to.match(/401/);
    await page.getByRole('textbox', { name: 'Bearer token' }).fill(TOKEN);
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.waitForSelector('body[data-state="ready"]');
  }

  it('is served on a node with a token, and asks for it before it shows any data', async () => {
    node = await startNode({ token: TOKEN });
    await page.goto(node.url);
    expect(await rendered(page)).to.equal('problem');
    await page.screenshot({ path: `${OUTPUT}browser-token.png`, fullPage: true });
    await signIn();
    expect(await page.textContent('h1')).to.equal('halsync');
    // The root's title is not "halsync · halsync".
    expect(await page.title()).to.equal('halsync');
  });

  it('creates, edits (If-Match) and deletes an item through the templates, showing schema errors by the field', async () => {
    node = await startNode({ token: TOKEN, collections: [{ name: 'items', schema: SCHEMA }] });
    await signIn();
    await page.goto(`${node.url}items`);
    expect(await rendered(page)).to.equal('ready');
    const create = page.locator('form[data-template="default"]');
    await create.getByLabel(/^data: JSON/).fill('{ "title": "" }');
    await create.getByRole('button', { name: 'Create an item' }).click();
    await create.locator('ul.field-errors li').first().waitFor();
    expect(await create.locator('ul.field-errors').textContent()).to.match(/\/data\/title/);
    expect(await create.getByRole('alert').textContent()).to.match(/^422/);
    await page.screenshot({ path: `${OUTPUT}browser-schema-errors.png`, fullPage: true });
    expect(await node.store.highWater()).to.equal(0);

    await create.getByLabel(/^data: JSON/).fill('{ "title": "made in the page" }');
    await create.getByRole('button', { name: 'Create an item' }).click();
    await page.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    expect(await rendered(page)).to.equal('ready');
    const itemUrl = page.url();
    expect(await page.locator('table.properties').first().textContent()).to.match(/"made in the page"/);
    await page.screenshot({ path: `${OUTPUT}browser-item-edit.png`, fullPage: true });

    const save = page.locator('form[data-template="default"]');
    expect(JSON.parse(await save.getByLabel(/^data: JSON/).inputValue())).to.deep.equal({ title: 'made in the page' });
    await save.getByLabel(/^data: JSON/).fill('{ "title": "edited" }');
    await save.getByRole('button', { name: 'Save' }).click();
    await page.waitForFunction(`/"edited"/.test(document.querySelector('table.properties')?.textContent ?? '')`);
    expect(await rendered(page)).to.equal('ready');

    // Someone else edits it: the page's If-Match (the ETag it read) makes its write a 412, not a lost update.
    const behind = await request(itemUrl, { method: 'PUT', headers: { Authorization: `Bearer ${TOKEN}` }, body: { data: { title: 'elsewhere' } } });
    expect(behind.status).to.equal(200);
    await page.locator('form[data-template="default"]').getByRole('button', { name: 'Save' }).click();
    await page.locator('form[data-template="default"] [role="alert"]').waitFor();
    expect(await page.locator('form[data-template="default"] [role="alert"]').textContent()).to.match(/^412/);

    await page.reload();
    await rendered(page);
    await page.locator('form[data-template="delete"]').getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(`${node.url}items`);
    const gone = await request(itemUrl, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(gone.status).to.equal(410);
  });

  it('restores a conflict from its record page through the restore template', async () => {
    node = await startNode();
    await auditedConflict(node.store, { title: 'kept here' }, { title: 'lost there' });
    const record = (await request(`${node.url}items/conflicts`)).json._embedded['sync:conflict'][0];
    await page.goto(record._links.self.href);
    expect(await rendered(page)).to.equal('ready');
    await page.screenshot({ path: `${OUTPUT}browser-conflict-record.png`, fullPage: true });
    await page.locator('form[data-template="restore"]').getByRole('button', { name: 'Restore the remote version' }).click();
    await page.waitForURL(/\/items\/[0-9a-f-]{36}$/);
    expect(await rendered(page)).to.equal('ready');
    expect(await page.locator('table.properties').first().textContent()).to.match(/"lost there"/);
  });

  it('offers no writes to a read token', async () => {
    node = await startNode({ token: TOKEN, auth: [{ token: 'read-token-4567', scope: 'read' }] });
    await page.goto(node.url);
    await rendered(page);
    await page.getByRole('textbox', { name: 'Bearer token' }).fill('read-token-4567');
    await page.getByRole('button', { name: 'Use token' }).click();
    await page.waitForSelector('body[data-state="ready"]');
    await page.goto(`${node.url}items`);
    await rendered(page);
    expect(await page.locator('form[data-template]').count()).to.equal(0);
    expect(await page.locator('section.actions').textContent()).to.match(/Nothing you may change here/);
  });

  it('mends: one Properties heading, a log link on the collection, the schema shown as JSON, styled /rels pages back to the root', async () => {
    node = await startNode();
    await page.goto(`${node.url}items`);
    await rendered(page);
    expect(await page.getByText('Properties', { exact: true }).count()).to.equal(1);
    await page.getByRole('link', { name: /^Open .*\/items\/transactions$/ }).click();
    await page.waitForURL(`${node.url}items/transactions`);
    expect(await rendered(page)).to.equal('ready');

    await page.goto(`${node.url}schemas/items`);
    await rendered(page);
    expect(await page.textContent('main')).not.to.match(/No links\./);
    expect(await page.textContent('pre.json')).to.match(/"type": "object"/);
    await page.screenshot({ path: `${OUTPUT}browser-schema.png`, fullPage: true });

    await page.goto(`${node.url}rels/item`);
    expect(await page.title()).to.equal('sync:item · halsync');
    expect(await page.evaluate<string>('getComputedStyle(document.body).maxWidth')).to.equal(await browserMaxWidth());
    await page.screenshot({ path: `${OUTPUT}browser-rel.png`, fullPage: true });
    await page.getByRole('link', { name: 'halsync', exact: true }).click();
    await page.waitForURL(node.url);
    expect(await rendered(page)).to.equal('ready');
  });

  /** The browser page's body width, to compare the /rels pages' style with. */
  async function browserMaxWidth(): Promise<string> {
    const other = await browser.newPage();
    try {
      await other.goto(node.url);
      await rendered(other);
      return await other.evaluate<string>('getComputedStyle(document.body).maxWidth');
    } finally {
      await other.close();
    }
  }

  it("shows the API reference at /docs, linked from the root, from the node's own Swagger UI and document", async () => {
    node = await startNode({ collections: [{ name: 'items' }, { name: 'notes', schema: SCHEMA }], token: TOKEN });
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${node.url}docs`);
    await page.waitForSelector('body[data-state="ready"]');
    await page.waitForSelector('.swagger-ui .opblock');
    expect(await page.textContent('.swagger-ui .info .title')).to.match(/halsync/);
    expect(await page.locator('.opblock-summary-path[data-path="/notes/{itemId}"]').count()).to.be.greaterThan(0);
    expect(requested.filter((url) => !url.startsWith(node.url) && !url.startsWith('data:'))).to.deep.equal([]);
    await page.screenshot({ path: `${OUTPUT}browser-docs.png` });
    const icon = await request(`${node.url}favicon.ico`);
    expect(icon.status).to.equal(200);
  });
});
