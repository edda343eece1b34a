import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeCursor } from '../../../lib/protocol/cursor.js';
import { renderEntry } from '../../../lib/protocol/entry.js';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { SqliteStore } from '../../../lib/store/sqlite.js';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request, type Reply } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('server: transaction log GET', () => {
  let node: StartedNode;
  let now: Date;
  let logUrl: string;
  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00.000Z');
    node = await startNode({ clock: () => now });
    logUrl = `${node.url}items/transactions`;
  });
  afterEach(async () => node.close());

  async function write(i: number, data: unknown, at?: string): Promise<void> {
    if (at) now = new Date(at);
    const reply = await request(`${node.url}items/${id(i)}`, { method: 'PUT', body: { data } });
    expect(reply.status).to.be.oneOf([200, 201]);
  }

  it('lists each item once, oldest change first, linking the item by sync:item and itemURI, with no self', async () => {
    await write(1, { v: 1 });
    await write(2, { v: 1 });
    await write(1, { v: 2 });
    const reply = await request(logUrl);
    expect(reply.status).to.equal(200);
    expect(reply.headers['content-type']).to.match(/^application\/hal\+json/);
    expect(reply.headers.vary).to.match(/Accept/);
    expectValid('log-page', reply.json);
    const entries = reply.json._embedded['sync:entry'];
    expect(entries.map((e: { itemId: string }) => e.itemId)).to.deep.equal([id(2), id(1)]);
    const itemURI = `${node.url}items/${id(1)}`;
    expect(entries[1]).to.deep.equal({
      itemId: id(1),
      updatedAt: '2030-01-01T00:00:00.000Z',
      fingerprint: fingerprint({ v: 2 }),
      deleted: false,
      itemURI,
      // No self (DESIGN §1): HAL clients that cache by self would answer a GET of the item with this entry.
      _links: { 'sync:item': { href: itemURI } },
    });
    expect(reply.json._links.self.href).to.equal(logUrl);
    expect(reply.json._links.next).to.equal(undefined);
  });

  it('is an empty array (not absent) on an empty log, with a checkpoint', async () => {
    const reply = await request(logUrl);
    expectValid('log-page', reply.json);
    expect(reply.json._embedded['sync:entry']).to.deep.equal([]);
    expect(reply.json.checkpoint).to.equal(encodeCursor({ storeId: node.store.id, seq: 0 }));
  });

  it('embeds data with embed=data, null for tombstones', async () => {
    await write(1, { v: 1 });
    await write(2, { v: 2 });
    await request(`${node.url}items/${id(2)}`, { method: 'DELETE' });
    const reply = await request(`${logUrl}?embed=data`);
    expectValid('log-page', reply.json);
    const entries = reply.json._embedded['sync:entry'];
    expect(entries[0].data).to.deep.equal({ v: 1 });
    expect(entries[1]).to.include({ deleted: true, data: null });
  });

  it('pages with limit and next; the cursor is exact across pages', async () => {
    for (let i = 1; i <= 5; i++) await write(i, { i });
    const seen: string[] = [];
    let url: string | undefined = `${logUrl}?limit=2&embed=data`;
    let pages = 0;
    while (url) {
      const page = await request(url);
      expectValid('log-page', page.json);
      pages++;
      seen.push(...page.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId));
      url = page.json._links.next?.href;
      if (url) {
        const next = new URL(url);
        expect(next.searchParams.get('cursor')).to.equal(page.json.checkpoint);
        expect(next.searchParams.get('limit')).to.equal('2');
        expect(next.searchParams.get('embed')).to.equal('data');
      }
    }
    expect(pages).to.equal(3);
    expect(seen).to.deep.equal([1, 2, 3, 4, 5].map(id));
  });

  it('a checkpoint passed back as cursor gives exactly the changes after it', async () => {
    await write(1, { v: 1 });
    const first = await request(logUrl);
    await write(2, { v: 1 });
    await write(1, { v: 2 });
    const after = await request(`${logUrl}?cursor=${first.json.checkpoint}`);
    expect(after.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([id(2), id(1)]);
    const none = await request(`${logUrl}?cursor=${after.json.checkpoint}`);
    expect(none.json._embedded['sync:entry']).to.deep.equal([]);
    expect(none.json.checkpoint).to.equal(after.json.checkpoint);
  });

  it('earliest filters on the time this node recorded the change (inclusive), not on updatedAt', async () => {
    await write(1, { v: 1 }, '2030-01-01T00:00:00.000Z');
    await write(2, { v: 1 }, '2030-01-02T00:00:00.000Z');
    // Arrives by sync with an old updatedAt: still listed, because it was recorded now.
    now = new Date('2030-01-03T00:00:00.000Z');
    const pushed = await request(logUrl, {
      method: 'PUT',
      body: {
        entries: [{ itemId: id(3), updatedAt: '2020-01-01T00:00:00.000Z', fingerprint: fingerprint({ v: 3 }), deleted: false, data: { v: 3 }, base: null }],
      },
    });
    expect(pushed.status).to.equal(200);
    const since = await request(`${logUrl}?earliest=2030-01-02T00:00:00.000Z`);
    expect(since.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([id(2), id(3)]);
    const offset = await request(`${logUrl}?earliest=${encodeURIComponent('2030-01-02T01:00:00+01:00')}`);
    expect(offset.json._embedded['sync:entry']).to.have.lengthOf(2);
  });

  it('cursor wins over earliest', async () => {
    await write(1, { v: 1 }, '2030-01-01T00:00:00.000Z');
    await write(2, { v: 1 }, '2030-01-02T00:00:00.000Z');
    const cursor = encodeCursor({ storeId: node.store.id, seq: 0 });
    const reply = await request(`${logUrl}?cursor=${cursor}&earliest=2030-01-02T00:00:00.000Z`);
    expect(reply.json._embedded['sync:entry']).to.have.lengthOf(2);
  });

  it('answers 400 to a malformed cursor, earliest, limit, embed or an unknown parameter', async () => {
    const bad = [
      'cursor=%%%',
      'cursor=bm90LWEtY3Vyc29y',
      'earliest=yesterday',
      'earliest=2030-01-01T00:00:00',
      'earliest=2030-13-01T00:00:00Z',
      'earliest=2030-02-30T00:00:00Z', // Date.parse would roll it over to March 2
      'earliest=2028-02-30T00:00:00Z',
      'limit=0',
      'limit=10001',
      'limit=1.5',
      'limit=abc',
      'limit=1&limit=2',
      'embed=everything',
      'since=x',
    ];
    for (const query of bad) {
      const problem = expectProblem(await request(`${logUrl}?${query}`), 400);
      expect(problem['errors'], query).to.be.an('array').that.is.not.empty;
    }
    expect((await request(`${logUrl}?limit=10000`)).status).to.equal(200);
    expect((await request(`${logUrl}?earliest=2028-02-29T00:00:00Z`)).status).to.equal(200);
  });

  it('answers 410 cursor-expired to a cursor of another store, ahead of the log, or behind the horizon', async () => {
    await write(1, { v: 1 });
    await request(`${node.url}items/${id(1)}`, { method: 'DELETE' });
    await write(2, { v: 1 });
    const foreign = encodeCursor({ storeId: '11111111-1111-4111-8111-111111111111', seq: 1 });
    expectProblem(await request(`${logUrl}?cursor=${foreign}`), 410, 'cursor-expired');
    expectProblem(await request(`${logUrl}?cursor=${encodeCursor({ storeId: node.store.id, seq: 99 })}`), 410, 'cursor-expired');
    await node.store.purgeTombstones('items', '2100-01-01T00:00:00.000Z');
    expectProblem(await request(`${logUrl}?cursor=${encodeCursor({ storeId: node.store.id, seq: 1 })}`), 410, 'cursor-expired');
    expect((await request(`${logUrl}?cursor=${encodeCursor({ storeId: node.store.id, seq: 2 })}`)).status).to.equal(200);
  });

  it('answers 404 for an unknown collection', async () => {
    expectProblem(await request(`${node.url}nope/transactions`), 404, 'not-found');
  });
});

describe('server: transaction log GET over SQLite (data written out as the store kept it)', () => {
  let dir: string;
  let store: SqliteStore;
  let node: StartedNode;
  let logUrl: string;
  const now = new Date('2030-01-01T00:00:00.000Z');
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'halsync-log-'));
    store = SqliteStore.open(join(dir, 'store.db'));
    node = await startNode({ store, clock: () => now });
    logUrl = `${node.url}items/transactions`;
  });
  afterEach(async () => {
    await node.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const data = [
    { text: 'ünïcödé 😀 e\u0301 \u2028\u2029 "quoted" back\\slash \u0000\u001f', ключ: '値' },
    { nested: { list: [1, -2.5, 1e21, 0.1, 5e-324, true, false, null, [[], {}]], deeper: { a: { b: { c: 'd' } } } } },
    { '10': 'ten', '9': 'nine', b: 1, a: 2, __proto__x: 'x' },
    {},
    { gone: true },
  ];

  async function seed(): Promise<void> {
    for (const [i, value] of data.entries()) {
      const reply = await request(`${node.url}items/${id(i + 1)}`, { method: 'PUT', body: { data: value } });
      expect(reply.status).to.equal(201);
    }
    expect((await request(`${node.url}items/${id(5)}`, { method: 'DELETE' })).status).to.equal(204);
  }

  /** The page as the log rendered it before data went through as text: from parsed entries, by renderEntry. */
  async function builtTheOldWay(reply: Reply, after: number, limit: number, embed: boolean) {
    const page = await store.changes('items', { after, limit, withData: embed });
    expect(reply.json._links.next !== undefined, 'a next link when more follow').to.equal(page.hasMore);
    return {
      checkpoint: encodeCursor({ storeId: store.id, seq: page.checkpoint }),
      count: page.entries.length,
      _links: reply.json._links,
      _embedded: { 'sync:entry': page.entries.map((entry) => renderEntry(entry, `${node.url}items/${entry.itemId}`, embed)) },
    };
  }

  for (const embed of [true, false]) {
    it(`serves, page by page, ${embed ? 'with' : 'without'} data, the document built from parsed data, as valid JSON`, async () => {
      await seed();
      let url: string | undefined = `${logUrl}?limit=2${embed ? '&embed=data' : ''}`;
      let after = 0;
      const seen: unknown[] = [];
      while (url) {
        const reply = await request(url);
        expect(reply.status).to.equal(200);
        expectValid('log-page', JSON.parse(reply.text));
        expect(Object.keys(reply.json)).to.deep.equal(['checkpoint', 'count', '_links', '_embedded']);
        expect(reply.json).to.deep.equal(await builtTheOldWay(reply, after, 2, embed));
        seen.push(...reply.json._embedded['sync:entry'].map((e: { data?: unknown }) => e.data));
        after = (await store.changes('items', { after, limit: 2, withData: false })).checkpoint;
        url = reply.json._links.next?.href;
      }
      expect(seen).to.deep.equal(embed ? [...data.slice(0, 4), null] : data.map(() => undefined));
    });
  }

  it('links each entry to its item under a configured item path, as the item itself is linked', async () => {
    await node.close();
    const paths = { root: '/api/', collection: '/api/c/{collection}', transactions: '/api/c/{collection}/log', item: "/api/c/{collection}/i/{itemId}/(v1)'" };
    node = await startNode({ store, clock: () => now, paths });
    const put = await request(`${node.url}c/items/i/${id(1)}/(v1)'`, { method: 'PUT', body: { data: { v: 1 } } });
    expect(put.status).to.equal(201);
    const page = await request(`${node.url}c/items/log?embed=data`);
    const [entry] = page.json._embedded['sync:entry'];
    expect(entry.itemURI).to.equal(put.headers.location);
    expect(entry._links['sync:item'].href).to.equal(put.headers.location);
    expect((await request(entry.itemURI)).json.data).to.deep.equal({ v: 1 });
  });

  it('serves the same text gzipped, and as application/json to a client that asks for JSON; an empty page too', async () => {
    const empty = await request(`${logUrl}?embed=data`);
    expect(empty.json).to.deep.equal(await builtTheOldWay(empty, 0, 1000, true));
    await seed();
    // Past the compression threshold.
    for (let i = 10; i < 30; i++) await request(`${node.url}items/${id(i)}`, { method: 'PUT', body: { data: { i, pad: 'x'.repeat(100) } } });
    const plain = await request(`${logUrl}?embed=data`);
    const gzipped = await fetch(`${logUrl}?embed=data`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gzipped.headers.get('content-encoding')).to.equal('gzip');
    expect(gzipped.headers.get('content-type')).to.match(/^application\/hal\+json/);
    expect(await gzipped.text()).to.equal(plain.text);
    const json = await request(`${logUrl}?embed=data`, { headers: { Accept: 'application/json' } });
    expect(json.headers['content-type']).to.match(/^application\/json/);
    expect(json.text).to.equal(plain.text);
    expect(plain.json).to.deep.equal(await builtTheOldWay(plain, 0, 1000, true));
  });
});

describe('server: collection', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode({ collections: [{ name: 'items', title: 'All items', schema: { type: 'object', required: ['x'] } }] })));
  afterEach(async () => node.close());

  it('links its log (templated), its items (templated) and its schema', async () => {
    const reply = await request(`${node.url}items`);
    expect(reply.status).to.equal(200);
    expectValid('collection', reply.json);
    expect(reply.json).to.include({ name: 'items', title: 'All items' });
    const links = reply.json._links;
    expect(links.self.href).to.equal(`${node.url}items`);
    expect(links['sync:transactions']).to.deep.equal({ href: `${node.url}items/transactions{?earliest,cursor,limit,embed}`, templated: true });
    expect(links['sync:item']).to.deep.equal({ href: `${node.url}items/{itemId}`, templated: true });
    const schema = await request(links.describedby.href);
    expect(schema.headers['content-type']).to.match(/^application\/schema\+json/);
    expect(schema.json).to.deep.equal({ type: 'object', required: ['x'] });
  });

  it('answers 404 for an unknown collection and its schema', async () => {
    expectProblem(await request(`${node.url}nope`), 404);
    expectProblem(await request(`${node.url}schemas/nope`), 404);
  });
});
