import { expect } from 'chai';
import { encodeCursor } from '../../../lib/protocol/cursor.js';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request } from '../../support/http.js';
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
