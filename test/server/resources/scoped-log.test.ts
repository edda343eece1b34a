import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeCursor, encodeCursor } from '../../../lib/protocol/cursor.js';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../../lib/store/memory.js';
import { SqliteStore } from '../../../lib/store/sqlite.js';
import type { Store } from '../../../lib/store/store.js';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request, type Reply } from '../../support/http.js';
import { bearer, TestPrincipals } from '../../support/principals.js';
import { startNode, type StartedNode } from '../../support/server.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

interface Entry {
  itemId: string;
  removed?: true;
  fingerprint?: string;
}

// Over SQLite too: its log pages write data out as the store kept it (ChangesQuery.dataAsJson).
for (const kind of ['memory', 'sqlite'] as const) {
  describe(`server: scoped transaction log (DESIGN §7), ${kind} store`, () => {
    let node: StartedNode;
    let principals: TestPrincipals;
    let logUrl: string;
    let now: Date;
    let store: Store;
    let dir: string | undefined;
    beforeEach(async () => {
      now = new Date('2030-01-01T00:00:00.000Z');
      principals = new TestPrincipals().admin('root').scoped('alice', 'notes', ['user:alice']).scoped('bob', 'notes', ['user:bob']);
      store = kind === 'memory' ? new MemoryStore() : SqliteStore.open(join((dir = await mkdtemp(join(tmpdir(), 'halsync-scoped-log-'))), 'store.db'));
      node = await startNode({ store, collections: [{ name: 'notes', channels: '/owner' }], authenticate: principals.authenticate, clock: () => now });
      logUrl = `${node.url}notes/transactions`;
    });
    afterEach(async () => {
      await node.close();
      await store.close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    async function put(i: number, owner: string, token = 'root'): Promise<void> {
      const reply = await request(`${node.url}notes/${id(i)}`, { method: 'PUT', body: { data: { owner, text: `note ${i}` } }, headers: bearer(token) });
      expect(reply.status, reply.text).to.be.oneOf([200, 201]);
    }

    async function read(token: string, query = ''): Promise<Reply> {
      const reply = await request(`${logUrl}${query}`, { headers: bearer(token) });
      expect(reply.status, reply.text).to.equal(200);
      expectValid('log-page', reply.json);
      return reply;
    }

    const entries = (reply: Reply): Entry[] => reply.json._embedded['sync:entry'];
    const ids = (reply: Reply) => entries(reply).map((e) => (e.removed ? `-${e.itemId}` : e.itemId));

    it('lists only the items whose channels meet the read grant', async () => {
      await put(1, 'user:alice');
      await put(2, 'user:bob');
      await put(3, 'user:alice');
      expect(ids(await read('alice'))).to.deep.equal([id(1), id(3)]);
      expect(ids(await read('bob'))).to.deep.equal([id(2)]);
      expect(ids(await read('root'))).to.deep.equal([id(1), id(2), id(3)]);
    });

    it('lists an item that left the view after the cursor once, as a removal entry', async () => {
      await put(1, 'user:alice');
      await put(2, 'user:alice');
      const first = await read('alice');
      await put(1, 'user:bob');
      const after = await read('alice', `?cursor=${first.json.checkpoint}`);
      const itemURI = `${node.url}notes/${id(1)}`;
      expect(entries(after)).to.deep.equal([{ itemId: id(1), removed: true, itemURI, _links: { 'sync:item': { href: itemURI } } }]);
      expect(ids(await read('alice', `?cursor=${after.json.checkpoint}`))).to.deep.equal([]);
      // Bob sees it arrive as any new item.
      expect(ids(await read('bob'))).to.deep.equal([id(1)]);
    });

    it("embeds with data only what the grant shows: no other reader's item, data or removal in the text", async () => {
      await put(1, 'user:alice');
      await put(2, 'user:bob');
      const cursor = (await read('alice', '?embed=data')).json.checkpoint as string;
      await put(3, 'user:bob');
      await put(1, 'user:bob');
      await put(4, 'user:alice');
      const page = await read('alice', `?embed=data&cursor=${cursor}`);
      expect(ids(page)).to.deep.equal([`-${id(1)}`, id(4)]);
      expect(entries(page)[1]).to.deep.include({ data: { owner: 'user:alice', text: 'note 4' } });
      expect(entries(page)[0]).to.not.have.property('data');
      for (const secret of ['user:bob', 'note 1', 'note 2', 'note 3', id(2), id(3)]) expect(page.text).to.not.contain(secret);
    });

    it('pages a scoped log with the exact cursor: no skip, no repeat', async () => {
      for (let i = 1; i <= 12; i++) await put(i, i % 3 === 0 ? 'user:alice' : 'user:bob');
      const seen: string[] = [];
      let url: string | undefined = `${logUrl}?limit=1`;
      while (url) {
        const reply = await request(url, { headers: bearer('alice') });
        expect(reply.status).to.equal(200);
        seen.push(...ids(reply));
        url = reply.json._links.next?.href;
      }
      expect(seen).to.deep.equal([id(3), id(6), id(9), id(12)]);
    });

    it('a cursor presented under other read grants is 410 cursor-expired; a * grant keeps unscoped cursors', async () => {
      await put(1, 'user:alice');
      const aliceCursor = (await read('alice')).json.checkpoint as string;
      const rootCursor = (await read('root')).json.checkpoint as string;
      expect(decodeCursor(aliceCursor).grant).to.be.a('string');
      expect(decodeCursor(rootCursor).grant).to.equal(undefined);
      expectProblem(await request(`${logUrl}?cursor=${aliceCursor}`, { headers: bearer('bob') }), 410, 'cursor-expired');
      expectProblem(await request(`${logUrl}?cursor=${aliceCursor}`, { headers: bearer('root') }), 410, 'cursor-expired');
      expectProblem(await request(`${logUrl}?cursor=${rootCursor}`, { headers: bearer('alice') }), 410, 'cursor-expired');
      // The same grant in another order is the same grant.
      principals.scoped('alice', 'notes', ['user:x', 'user:alice']);
      const wider = (await read('alice')).json.checkpoint as string;
      principals.scoped('alice', 'notes', ['user:alice', 'user:x', 'user:alice']);
      await read('alice', `?cursor=${wider}`);
      expectProblem(await request(`${logUrl}?cursor=${aliceCursor}`, { headers: bearer('alice') }), 410, 'cursor-expired');
      principals.scoped('carol', 'notes', ['*']);
      expect(ids(await read('carol', `?cursor=${encodeCursor({ storeId: node.store.id, seq: 0 })}`))).to.deep.equal([id(1)]);
      // A sync log's since is a cursor too.
      const push = await request(logUrl, { method: 'PUT', body: { since: rootCursor, entries: [] }, headers: bearer('alice') });
      expectProblem(push, 410, 'cursor-expired');
    });

    it('earliest filters a scoped log on the recording time', async () => {
      await put(1, 'user:alice');
      now = new Date('2030-01-02T00:00:00.000Z');
      await put(2, 'user:bob');
      await put(3, 'user:alice');
      expect(ids(await read('alice', '?earliest=2030-01-02T00:00:00Z'))).to.deep.equal([id(3)]);
    });

    it('a collection without a grant is a 404, the same as an unknown one', async () => {
      principals.byToken.set('dave', { id: 'dave', kind: 'scoped', grants: {} });
      expectProblem(await request(logUrl, { headers: bearer('dave') }), 404, 'not-found');
      expectProblem(await request(logUrl, { method: 'PUT', body: { entries: [] }, headers: bearer('dave') }), 404, 'not-found');
    });

    it('a held read (Prefer: wait) answers with a change it can see, and not for one it cannot', async () => {
      const cursor = (await read('alice')).json.checkpoint as string;
      const held = request(`${logUrl}?cursor=${cursor}`, { headers: { ...bearer('alice'), Prefer: 'wait=1' } });
      await put(1, 'user:bob');
      const quiet = await held;
      expect(ids(quiet)).to.deep.equal([]);
      expect(quiet.json.checkpoint).to.not.equal(undefined);
      const second = request(`${logUrl}?cursor=${quiet.json.checkpoint}`, { headers: { ...bearer('alice'), Prefer: 'wait=20' } });
      const started = Date.now();
      await put(2, 'user:bob');
      await put(3, 'user:alice');
      expect(ids(await second)).to.deep.equal([id(3)]);
      expect(Date.now() - started).to.be.below(10_000);
    });

    describe('a sync-log PUT checkpoint for a scoped writer (the since rule in its own log)', () => {
      const entry = (i: number, owner: string) => {
        const data = { owner, text: `pushed ${i}` };
        return { itemId: id(i), updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null };
      };

      it('skips what only others can see, never what this reader can', async () => {
        await put(1, 'user:alice');
        const since = (await read('alice')).json.checkpoint as string;
        // Bob's change interleaves; Alice cannot see it.
        await put(2, 'user:bob');
        const pushed = await request(logUrl, { method: 'PUT', body: { since, entries: [entry(3, 'user:alice')] }, headers: bearer('alice') });
        expect(pushed.status, pushed.text).to.equal(200);
        expect(pushed.json.checkpoint).to.not.equal(since);
        expect(ids(await read('alice', `?cursor=${pushed.json.checkpoint}`))).to.deep.equal([]);

        // A change Alice can see, made after her read: the checkpoint stays at her since.
        const since2 = pushed.json.checkpoint as string;
        await put(4, 'user:alice');
        const again = await request(logUrl, { method: 'PUT', body: { since: since2, entries: [entry(5, 'user:alice')] }, headers: bearer('alice') });
        expect(again.json.checkpoint).to.equal(since2);
        expect(ids(await read('alice', `?cursor=${again.json.checkpoint}`))).to.deep.equal([id(4), id(5)]);

        // A removal she must read is never skipped either.
        const since3 = (await read('alice', `?cursor=${again.json.checkpoint}`)).json.checkpoint as string;
        await put(1, 'user:bob');
        const third = await request(logUrl, { method: 'PUT', body: { since: since3, entries: [entry(6, 'user:alice')] }, headers: bearer('alice') });
        expect(third.json.checkpoint).to.equal(since3);
        expect(ids(await read('alice', `?cursor=${third.json.checkpoint}`))).to.deep.equal([`-${id(1)}`, id(6)]);
      });
    });
  });
}
