import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflictId } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { openStore } from '../../lib/store/open.js';
import type { Store } from '../../lib/store/store.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectProblem, pointers } from '../support/expect.js';
import { request, type Reply } from '../support/http.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { startNode, type StartedNode } from '../support/server.js';
import { until } from '../support/until.js';
import { newId } from '../support/sync.js';

/**
 * The leak battery (DESIGN §7): alice and bob each write items carrying a marker string into
 * their own channel; then every resource and status alice can reach is asked, and no body or
 * header she receives may hold bob's marker, and none she did not name the id in may hold the
 * id of one of bob's items, his conflict records or his jobs.
 */
const ALICE = 'alice-token-0123';
const BOB = 'bob-token-4567';
const ADMIN = 'admin-token-89ab';
const ALICE_MARK = 'alice-marker-7f3e1c';
const BOB_MARK = 'bob-marker-c0ffee42';
const principals = {
  [ALICE]: { id: 'alice', grants: { notes: { read: ['alice'], write: ['alice'] } } },
  [BOB]: { id: 'bob', grants: { notes: { read: ['bob'], write: ['bob'] }, diaries: { read: ['bob'], write: ['bob'] } } },
};
const as = (token: string, more: Record<string, string> = {}) => ({ Authorization: `Bearer ${token}`, ...more });
const HAL_FORMS = 'application/prs.hal-forms+json';

interface Stores {
  name: string;
  open(): Promise<{ store: Store; done(): Promise<void> }>;
  before?: (ctx: Mocha.Context) => Promise<void>;
}

const kinds: Stores[] = [
  { name: 'memory', open: async () => ({ store: new MemoryStore(), done: async () => undefined }) },
  {
    name: 'SQLite',
    open: async () => {
      const dir = await mkdtemp(join(tmpdir(), 'halsync-leak-'));
      return { store: await openStore(`sqlite:${join(dir, 'node.db')}`), done: () => rm(dir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    before: (ctx) => requirePostgres(ctx, 'the leak battery on PostgreSQL'),
    open: async () => {
      const schema = testSchema('leak');
      return { store: await openStore(schema.url), done: () => schema.drop() };
    },
  },
];

for (const kind of kinds) {
  describe(`scopes: the leak battery (${kind.name})`, function () {
    let node: StartedNode;
    let done: () => Promise<void>;
    let secrets: string[];
    const bobItems: Array<{ itemId: string; fingerprint: string }> = [];
    let aliceItem: { itemId: string; fingerprint: string };
    let bobConflict: string;
    let bobJob: string;

    if (kind.before)
      before(async function () {
        await kind.before!(this);
      });

    beforeEach(async () => {
      const opened = await kind.open();
      done = opened.done;
      node = await startNode({
        store: opened.store,
        token: ADMIN,
        principals,
        collections: [
          { name: 'notes', channels: '/owner' },
          { name: 'diaries', channels: '/owner' },
        ],
        asyncThreshold: 1000,
      });
      bobItems.length = 0;
      for (let i = 0; i < 3; i++) {
        const reply = await request(`${node.url}notes`, { method: 'POST', headers: as(BOB), body: { data: { owner: 'bob', text: `${BOB_MARK} ${i}` } } });
        expect(reply.status).to.equal(201);
        bobItems.push({ itemId: reply.json.itemId, fingerprint: reply.json.fingerprint });
      }
      const diary = await request(`${node.url}diaries`, { method: 'POST', headers: as(BOB), body: { data: { owner: 'bob', text: BOB_MARK } } });
      expect(diary.status).to.equal(201);
      const mine = await request(`${node.url}notes`, { method: 'POST', headers: as(ALICE), body: { data: { owner: 'alice', text: ALICE_MARK } } });
      aliceItem = { itemId: mine.json.itemId, fingerprint: mine.json.fingerprint };
      // A conflict record on one of bob's items, as a node↔node sync would record it.
      const bobNote = bobItems[0]!;
      const lost = { owner: 'bob', text: `${BOB_MARK} lost` };
      const local = { updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(lost), deleted: false, data: lost };
      const current = (await node.store.getItem('notes', bobNote.itemId))!;
      const remote = { updatedAt: current.updatedAt, fingerprint: current.fingerprint, deleted: false, data: current.data };
      const record = {
        itemId: bobNote.itemId,
        peer: 'https://peer.example/',
        rule: 'newer' as const,
        winner: 'remote' as const,
        local,
        remote,
        result: { updatedAt: remote.updatedAt, fingerprint: remote.fingerprint, deleted: false },
      };
      bobConflict = conflictId('notes', record);
      const posted = await request(`${node.url}notes/conflicts`, {
        method: 'POST',
        headers: as(BOB),
        body: { records: [{ ...record, conflictId: bobConflict, decidedAt: '2026-01-02T00:00:00.000Z' }] },
      });
      expect(posted.status, posted.text).to.equal(200);
      // A job of bob's.
      const data = { owner: 'bob', text: `${BOB_MARK} job` };
      const entry = { itemId: newId(), updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null };
      const accepted = await request(`${node.url}notes/transactions`, {
        method: 'PUT',
        headers: as(BOB, { Prefer: 'respond-async' }),
        body: { entries: [entry] },
      });
      expect(accepted.status).to.equal(202);
      bobJob = String(accepted.headers['location']).split('/').pop()!;
      await until(async () => (await request(`${node.url}jobs/${bobJob}`, { headers: as(BOB) })).json?.state === 'succeeded');
      bobItems.push({ itemId: entry.itemId, fingerprint: entry.fingerprint });
      secrets = [BOB_MARK, 'diaries', bobConflict, bobJob, ...bobItems.flatMap((i) => [i.itemId, i.fingerprint])];
    });
    afterEach(async () => {
      await node.close();
      await done();
    });

    /** Nothing of bob's in what alice received; `named`: the ids alice put in her request herself. */
    function expectNoLeak(reply: Reply, what: string, named: string[] = []): void {
      const seen = `${JSON.stringify(reply.headers)}\n${reply.text}`;
      for (const secret of secrets.filter((s) => !named.includes(s))) expect(seen, `${what} leaks ${secret}`).to.not.include(secret);
    }

    it('shows alice only her own collection and items: root, collection, log (full, paged, with data), HAL-FORMS', async () => {
      for (const path of ['', 'notes', 'notes/transactions', 'notes/transactions?embed=data', 'notes/transactions?limit=1', 'notes/conflicts']) {
        const reply = await request(node.url + path, { headers: as(ALICE) });
        expect(reply.status, path).to.equal(200);
        expectNoLeak(reply, path);
        const forms = await request(node.url + path, { headers: as(ALICE, { Accept: HAL_FORMS }) });
        expectNoLeak(forms, `${path} (HAL-FORMS)`);
      }
      const log = await request(`${node.url}notes/transactions?embed=data`, { headers: as(ALICE) });
      expect(log.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([aliceItem.itemId]);
      const root = await request(node.url, { headers: as(ALICE) });
      expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['notes']);
    });

    it('answers 404 for another principal\u2019s items exactly as for an unknown one: GET, If-None-Match, HEAD', async () => {
      const unknown = newId();
      const normalize = (reply: Reply, id: string) => ({
        status: reply.status,
        body: reply.text.replaceAll(id, '<id>'),
        headers: Object.keys(reply.headers)
          .filter((h) => h !== 'date')
          .sort()
          .map((h) => [h, h === 'content-length' ? '' : String(reply.headers[h]).replaceAll(id, '<id>')]),
      });
      for (const { itemId, fingerprint: tag } of bobItems) {
        for (const headers of [{}, { 'If-None-Match': `"${tag}"` }, { Accept: HAL_FORMS }] as Array<Record<string, string>>) {
          const bobs = await request(`${node.url}notes/${itemId}`, { headers: as(ALICE, headers) });
          const nobody = await request(`${node.url}notes/${unknown}`, { headers: as(ALICE, headers) });
          expectProblem(bobs, 404, 'not-found');
          expect(bobs.headers['etag']).to.equal(undefined);
          expect(normalize(bobs, itemId)).to.deep.equal(normalize(nobody, unknown));
          expectNoLeak(bobs, `GET ${itemId}`, [itemId]);
        }
        const head = await request(`${node.url}notes/${itemId}`, { method: 'HEAD', headers: as(ALICE) });
        expect(head.status).to.equal(404);
        expectNoLeak(head, `HEAD ${itemId}`, [itemId]);
      }
    });

    it('refuses her writes to his items with a 403 that tells nothing else, and writes nothing', async () => {
      const before = await node.store.highWater();
      const target = bobItems[0]!;
      const writes: Array<[string, string, unknown, Record<string, string>]> = [
        ['PUT', `notes/${target.itemId}`, { data: { owner: 'alice', text: 'mine now' } }, {}],
        ['PUT', `notes/${target.itemId}`, { data: { owner: 'alice', text: 'mine now' } }, { 'If-Match': `"${'0'.repeat(40)}"` }],
        ['DELETE', `notes/${target.itemId}`, undefined, {}],
        ['DELETE', `notes/${target.itemId}`, undefined, { 'If-Match': '"nope"' }],
      ];
      for (const [method, path, body, headers] of writes) {
        const reply = await request(node.url + path, { method, headers: as(ALICE, headers), ...(body === undefined ? {} : { body }) });
        const problem = expectProblem(reply, 403, 'forbidden');
        expect(pointers(problem)).to.deep.equal(['/data']);
        expectNoLeak(reply, `${method} ${path}`, [target.itemId]);
      }
      // Into bob's channel, on a new id.
      const into = await request(`${node.url}notes`, { method: 'POST', headers: as(ALICE), body: { data: { owner: 'bob', text: 'spam' } } });
      expectProblem(into, 403, 'forbidden');
      // A sync log: every refused entry named, the allowed one not applied either.
      const own = { owner: 'alice', text: 'fine' };
      const theirs = { owner: 'alice', text: 'taken' };
      const entries = [
        { itemId: newId(), updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(own), deleted: false, data: own, base: null },
        {
          itemId: target.itemId,
          updatedAt: '2026-01-01T00:00:00.000Z',
          fingerprint: fingerprint(theirs),
          deleted: false,
          data: theirs,
          base: target.fingerprint,
        },
        { itemId: bobItems[1]!.itemId, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(theirs), deleted: false, data: theirs, base: null },
      ];
      const log = await request(`${node.url}notes/transactions`, { method: 'PUT', headers: as(ALICE), body: { entries } });
      const problem = expectProblem(log, 403, 'forbidden');
      expect(pointers(problem)).to.deep.equal(['/entries/1', '/entries/2']);
      expectNoLeak(log, 'sync log', [target.itemId, target.fingerprint, bobItems[1]!.itemId]);
      // The same as a job: the job's problem is the 403.
      const job = await request(`${node.url}notes/transactions`, { method: 'PUT', headers: as(ALICE, { Prefer: 'respond-async' }), body: { entries } });
      const location = String(job.headers['location']);
      let final: Reply | undefined;
      await until(async () => (final = await request(location, { headers: as(ALICE) })).json?.state === 'failed');
      expect(final!.json.problem.status).to.equal(403);
      expectNoLeak(final!, 'job', [target.itemId, target.fingerprint, bobItems[1]!.itemId]);
      expect(await node.store.highWater()).to.equal(before);
    });

    it('keeps a 409 to her own items, with nothing of his', async () => {
      const changed = { owner: 'alice', text: 'stale' };
      const entries = [
        { itemId: aliceItem.itemId, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(changed), deleted: false, data: changed, base: null },
      ];
      const reply = await request(`${node.url}notes/transactions`, { method: 'PUT', headers: as(ALICE), body: { entries } });
      const problem = expectProblem(reply, 409, 'conflict');
      expect(problem['conflicts'].map((c: { itemId: string }) => c.itemId)).to.deep.equal([aliceItem.itemId]);
      expect(problem['conflicts'][0].current.data.text).to.equal(ALICE_MARK);
      expectNoLeak(reply, '409');
    });

    it('hides his conflict records and jobs (404), and his collection everywhere under it', async () => {
      const list = await request(`${node.url}notes/conflicts`, { headers: as(ALICE) });
      expect(list.json.count).to.equal(0);
      expectNoLeak(list, 'conflict list');
      for (const path of [`notes/conflicts/${bobConflict}`, `jobs/${bobJob}`]) {
        const reply = await request(node.url + path, { headers: as(ALICE) });
        expectProblem(reply, 404, 'not-found');
        expectNoLeak(reply, path, [bobConflict, bobJob]);
      }
      const restore = await request(`${node.url}notes/conflicts/${bobConflict}/restore`, { method: 'POST', headers: as(ALICE) });
      expectProblem(restore, 404, 'not-found');
      expectNoLeak(restore, 'restore', [bobConflict]);
      // Bob sees his own.
      expect((await request(`${node.url}notes/conflicts/${bobConflict}`, { headers: as(BOB) })).status).to.equal(200);
      expect((await request(`${node.url}jobs/${bobJob}`, { headers: as(BOB) })).status).to.equal(200);
      for (const path of ['diaries', 'diaries/transactions', `diaries/${bobItems[0]!.itemId}`, 'diaries/conflicts', 'schemas/diaries']) {
        const reply = await request(node.url + path, { headers: as(ALICE) });
        expectProblem(reply, 404, 'not-found');
        const unknown = await request(node.url + path.replace('diaries', 'nothing'), { headers: as(ALICE) });
        expect(reply.text.replaceAll('diaries', 'nothing')).to.equal(unknown.text);
      }
      const post = await request(`${node.url}diaries`, { method: 'POST', headers: as(ALICE), body: { data: { owner: 'alice' } } });
      expectProblem(post, 404, 'not-found');
    });

    it('serves the public pages with nothing of anyone\u2019s: the HTML browser, /rels, the OpenAPI document', async () => {
      for (const [path, accept] of [
        ['', 'text/html'],
        [`notes/${bobItems[0]!.itemId}`, 'text/html'],
        ['rels/item', 'text/html'],
        ['openapi', 'application/json'],
      ] as const) {
        for (const headers of [as(ALICE, { Accept: accept }), { Accept: accept }]) {
          const reply = await request(node.url + path, { headers });
          expect(reply.status, path).to.equal(200);
          expect(reply.text).to.not.include(BOB_MARK).and.not.include(ALICE_MARK);
          expectNoLeak({ ...reply, text: reply.text }, path, [bobItems[0]!.itemId]);
        }
      }
    });

    it('lists only the writes she may make as HAL-FORMS templates', async () => {
      const own = await request(`${node.url}notes/${aliceItem.itemId}`, { headers: as(ALICE, { Accept: HAL_FORMS }) });
      expect(Object.keys(own.json._templates)).to.deep.equal(['default', 'delete']);
      const collection = await request(`${node.url}notes`, { headers: as(ALICE, { Accept: HAL_FORMS }) });
      expect(Object.keys(collection.json._templates)).to.deep.equal(['default']);
    });
  });
}
