import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { syncStore } from '../../lib/client/connect.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { launchChromium, requireChromium } from '../support/browser.js';
import { until } from '../support/until.js';

/**
 * examples/notes end to end in Chromium: `node examples/notes/serve.mjs` (what `npm run example`
 * runs) starts a node with --cors and serves the page; two browser contexts (two devices) edit
 * notes through the page, one goes offline, edits, reloads, comes back, and all three replicas
 * end with the same notes (DESIGN §3). Needs the browser bundle: `npm run build` makes it.
 */
const SERVE = fileURLToPath(new URL('../../../examples/notes/serve.mjs', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../browser/halsync.js', import.meta.url));

interface Note {
  text: unknown;
  fingerprint: string;
}
type NotesWindow = typeof globalThis & {
  notesApp: {
    list(): Promise<Array<{ itemId: string; data: { text: unknown }; fingerprint: string }>>;
    notes: { put(collection: string, itemId: string, data: unknown): Promise<unknown> };
    state: { syncs: number; conflicts: unknown[] };
  };
};

async function notesOf(page: Page): Promise<Record<string, Note>> {
  const items = await page.evaluate(() => (window as unknown as NotesWindow).notesApp.list());
  // By itemId, so two replicas holding the same notes compare equal as JSON.
  items.sort((x, y) => (x.itemId < y.itemId ? -1 : 1));
  return Object.fromEntries(items.map((i) => [i.itemId, { text: i.data.text, fingerprint: i.fingerprint }]));
}

async function write(page: Page, itemId: string, text: string): Promise<void> {
  await page.evaluate(([id, t]) => (window as unknown as NotesWindow).notesApp.notes.put('notes', id!, { text: t }), [itemId, text]);
}

async function syncs(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as NotesWindow).notesApp.state.syncs);
}

async function open(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'notesApp' in window);
  await until(async () => (await syncs(page)) > 0, { message: 'the first sync of the page', timeout: 10_000 });
  return page;
}

describe('examples/notes in Chromium', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let pageUrl = '';
  let nodeUrl = '';

  before(async function () {
    requireChromium(this);
    if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run npm run build`);
    child = spawn(process.execPath, [SERVE], { env: { ...process.env, PORT: '0', NODE_PORT: '0' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    await until(() => /open (http\S+) \(node (http\S+),/.test(out), { message: 'the example printed its URL', timeout: 20_000 });
    [, pageUrl, nodeUrl] = /open (http\S+) \(node (http\S+),/.exec(out)!;
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('edits offline, keeps the edits across a reload, and converges with the node and the other device', async function () {
    const [one, two] = [await browser!.newContext(), await browser!.newContext()];
    try {
      const a = await open(one, pageUrl);
      const b = await open(two, pageUrl);

      // Through the page: a new note, typed into.
      await a.click('#add');
      await a.waitForSelector('#notes textarea');
      await a.fill('#notes textarea', 'typed in A');
      const shared = await a.$eval('#notes li', (li) => (li as HTMLElement).dataset['id']!);
      // A change in one context reaches the other within 1 s (both online).
      await until(async () => (await notesOf(b))[shared]?.text === 'typed in A', { message: 'A’s note reaches B', timeout: 1000 });
      const onlyB = '00000000-0000-4000-8000-00000000b001';
      await write(b, onlyB, 'from B');
      await until(async () => (await notesOf(a))[onlyB]?.text === 'from B', { message: 'B’s note reaches A', timeout: 1000 });
      await until(async () => (await b.$$('#notes textarea')).length === 2, { message: 'B shows both notes' });

      // A goes offline and edits the shared note (B edits it too: a conflict), B's note and a new one.
      await a.evaluate(() => navigator.serviceWorker.ready);
      await one.setOffline(true);
      await until(async () => (await a.textContent('#status'))?.startsWith('offline') === true, { message: 'A says it is offline' });
      const onlyA = '00000000-0000-4000-8000-00000000a001';
      await write(a, shared, 'A, offline');
      await write(a, onlyA, 'written offline in A');
      await write(b, shared, 'B, online');
      await write(b, onlyB, 'from B, edited');
      const beforeReload = await notesOf(a);
      await a.reload();
      await a.waitForFunction(() => 'notesApp' in window);
      expect(await notesOf(a), 'A’s replica survives a reload while offline').to.deep.equal(beforeReload);
      expect(beforeReload[onlyA]?.text).to.equal('written offline in A');

      // Back online: all three converge.
      await one.setOffline(false);
      const node = new MemoryStore();
      const nodeNotes = async () => {
        await syncStore(node, nodeUrl, { collections: ['notes'] });
        const items = await node.changes('notes', { limit: 100, withData: true });
        return Object.fromEntries(
          items.entries.filter((e) => !e.deleted).map((e) => [e.itemId, { text: (e.data as { text: unknown }).text, fingerprint: e.fingerprint }]),
        );
      };
      let final: Record<string, Note> = {};
      await until(
        async () => {
          const [na, nb] = [await notesOf(a), await notesOf(b)];
          final = na;
          return JSON.stringify(na) === JSON.stringify(nb) && Object.keys(na).length === 3;
        },
        { message: 'A and B converge', timeout: 15_000 },
      ).catch(async (error: Error) => {
        const status = `A: ${await a.textContent('#status')}; B: ${await b.textContent('#status')}`;
        throw new Error(`${error.message}\n${status}\nA ${JSON.stringify(await notesOf(a))}\nB ${JSON.stringify(await notesOf(b))}`);
      });
      const onNode = await nodeNotes();
      expect(onNode, 'the node holds what both devices hold').to.deep.equal(final);
      expect(final[onlyA]!.text).to.equal('written offline in A');
      expect(final[onlyB]!.text).to.equal('from B, edited');
      expect(['A, offline', 'B, online']).to.include(final[shared]!.text);
      // The two edits of the shared note were one conflict, shown by the device that decided it.
      const conflicts = [
        ...(await a.evaluate(() => (window as unknown as NotesWindow).notesApp.state.conflicts)),
        ...(await b.evaluate(() => (window as unknown as NotesWindow).notesApp.state.conflicts)),
      ] as Array<{ itemId: string }>;
      expect(conflicts.map((c) => c.itemId)).to.include(shared);
      expect(((await a.textContent('#conflicts')) ?? '') + ((await b.textContent('#conflicts')) ?? '')).to.include(shared.slice(0, 8));

      // And live again both ways within 1 s.
      await write(a, onlyB, 'after coming back');
      await until(async () => (await notesOf(b))[onlyB]?.text === 'after coming back', { message: 'A’s edit reaches B again', timeout: 1000 });
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
