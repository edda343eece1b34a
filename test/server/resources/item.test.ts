import { expect } from 'chai';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../../lib/protocol/fingerprint.js';
import { expectProblem, expectValid, pointers } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const ID = '6f1c2a4e-8a3b-4c5d-9e6f-7a8b9c0d1e2f';

describe('server: item', () => {
  let node: StartedNode;
  let now: Date;
  let itemUrl: string;
  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00.000Z');
    node = await startNode({ clock: () => now, collections: [{ name: 'items', schema: { type: 'object', properties: { n: { type: 'integer' } } } }] });
    itemUrl = `${node.url}items/${ID}`;
  });
  afterEach(async () => node.close());

  const put = (data: unknown, headers: Record<string, string> = {}) => request(itemUrl, { method: 'PUT', body: { data }, headers });

  it('PUT creates (201, Location, ETag) then replaces (200)', async () => {
    const created = await put({ n: 1 });
    expect(created.status).to.equal(201);
    expect(created.headers.location).to.equal(itemUrl);
    expect(created.headers.etag).to.equal(`"${fingerprint({ n: 1 })}"`);
    expectValid('item', created.json);
    expect(created.json).to.include({ itemId: ID, updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint({ n: 1 }), deleted: false });
    expect(created.json._links).to.deep.equal({ self: { href: itemUrl }, collection: { href: `${node.url}items` } });
    now = new Date('2030-01-01T00:00:01.000Z');
    const replaced = await put({ n: 2 });
    expect(replaced.status).to.equal(200);
    expect(replaced.headers.location).to.equal(undefined);
    expect(replaced.json.data).to.deep.equal({ n: 2 });
    expect(replaced.json.updatedAt).to.equal('2030-01-01T00:00:01.000Z');
  });

  it('GET answers the item with its ETag, 304 on If-None-Match', async () => {
    await put({ n: 1 });
    const got = await request(itemUrl);
    expect(got.status).to.equal(200);
    expect(got.headers['content-type']).to.match(/^application\/hal\+json/);
    expect(got.headers.vary).to.match(/Accept/);
    const etag = got.headers.etag!;
    expect(etag).to.equal(`"${fingerprint({ n: 1 })}"`);
    expectValid('item', got.json);
    for (const header of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
      const cached = await request(itemUrl, { headers: { 'If-None-Match': header } });
      expect(cached.status, header).to.equal(304);
      expect(cached.text).to.equal('');
      expect(cached.headers.etag).to.equal(etag);
    }
    expect((await request(itemUrl, { headers: { 'If-None-Match': '"other"' } })).status).to.equal(200);
  });

  it('stamps updatedAt never lower than the previous one, even when the clock goes back', async () => {
    now = new Date('2030-06-01T00:00:00.000Z');
    await put({ n: 1 });
    now = new Date('2030-01-01T00:00:00.000Z');
    const replaced = await put({ n: 2 });
    expect(replaced.json.updatedAt).to.equal('2030-06-01T00:00:00.000Z');
  });

  it('GET of an unknown item is 404, of a non-UUID 400, of an unknown collection 404', async () => {
    expectProblem(await request(itemUrl), 404, 'not-found');
    expectProblem(await request(`${node.url}items/not-a-uuid`), 400, 'bad-request');
    expectProblem(await request(`${node.url}nope/${ID}`), 404, 'not-found');
  });

  it('DELETE leaves a tombstone (204) that answers 410 and is listed in the log', async () => {
    await put({ n: 1 });
    const deleted = await request(itemUrl, { method: 'DELETE' });
    expect(deleted.status).to.equal(204);
    expectProblem(await request(itemUrl), 410, 'gone');
    const stored = await node.store.getItem('items', ID);
    expect(stored).to.include({ deleted: true, data: null, fingerprint: TOMBSTONE_FINGERPRINT });
    const log = await request(`${node.url}items/transactions`);
    expect(log.json._embedded['sync:entry'][0]).to.include({ itemId: ID, deleted: true, fingerprint: TOMBSTONE_FINGERPRINT });
  });

  it('DELETE of a tombstone changes nothing (204); of an unknown item 404; of a non-UUID 400', async () => {
    await put({ n: 1 });
    await request(itemUrl, { method: 'DELETE' });
    const before = await node.store.getItem('items', ID);
    now = new Date('2031-01-01T00:00:00.000Z');
    expect((await request(itemUrl, { method: 'DELETE' })).status).to.equal(204);
    expect(await node.store.getItem('items', ID)).to.deep.equal(before);
    expectProblem(await request(`${node.url}items/00000000-0000-4000-8000-000000000000`, { method: 'DELETE' }), 404);
    expectProblem(await request(`${node.url}items/xyz`, { method: 'DELETE' }), 400);
  });

  it('PUT over a tombstone revives the item (200)', async () => {
    await put({ n: 1 });
    await request(itemUrl, { method: 'DELETE' });
    const revived = await put({ n: 3 });
    expect(revived.status).to.equal(200);
    expect(revived.json).to.include({ deleted: false });
    expect((await request(itemUrl)).json.data).to.deep.equal({ n: 3 });
  });

  it('POST on the collection creates an item under a new UUID (201 + Location)', async () => {
    const created = await request(`${node.url}items`, { method: 'POST', body: { data: { n: 5 } } });
    expect(created.status).to.equal(201);
    expect(created.headers.location).to.match(/\/items\/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(created.headers.etag).to.equal(`"${fingerprint({ n: 5 })}"`);
    expectValid('item', created.json);
    expect((await request(created.headers.location!)).json.data).to.deep.equal({ n: 5 });
  });

  describe('If-Match', () => {
    beforeEach(async () => {
      await put({ n: 1 });
    });
    const etag = `"${fingerprint({ n: 1 })}"`;

    it('lets a write through when it matches', async () => {
      expect((await put({ n: 2 }, { 'If-Match': etag })).status).to.equal(200);
      expect((await request(itemUrl, { method: 'DELETE', headers: { 'If-Match': `"${fingerprint({ n: 2 })}"` } })).status).to.equal(204);
    });

    it('refuses a stale PUT or DELETE with 412 and writes nothing', async () => {
      const before = await node.store.getItem('items', ID);
      expectProblem(await put({ n: 2 }, { 'If-Match': `"${fingerprint({ n: 0 })}"` }), 412, 'precondition-failed');
      expectProblem(await put({ n: 1 }, { 'If-Match': `"${fingerprint({ n: 0 })}"` }), 412);
      expectProblem(await put({ n: 2 }, { 'If-Match': `W/${etag}` }), 412);
      expectProblem(await request(itemUrl, { method: 'DELETE', headers: { 'If-Match': '"0000"' } }), 412);
      expect(await node.store.getItem('items', ID)).to.deep.equal(before);
      expect(await node.store.highWater()).to.equal(1);
    });

    it('* requires the item to exist', async () => {
      expect((await put({ n: 2 }, { 'If-Match': '*' })).status).to.equal(200);
      const other = `${node.url}items/00000000-0000-4000-8000-000000000001`;
      expectProblem(await request(other, { method: 'PUT', body: { data: {} }, headers: { 'If-Match': '*' } }), 412);
      expect(await node.store.getItem('items', '00000000-0000-4000-8000-000000000001')).to.equal(null);
    });

    it('POST honours it against the collection: any entity tag is a 412 (the new item has none), * holds', async () => {
      const collectionUrl = `${node.url}items`;
      const highWater = await node.store.highWater();
      expectProblem(await request(collectionUrl, { method: 'POST', body: { data: { n: 7 } }, headers: { 'If-Match': etag } }), 412, 'precondition-failed');
      expectProblem(await request(collectionUrl, { method: 'POST', body: { data: { n: 7 } }, headers: { 'If-Match': '"0000"' } }), 412);
      expect(await node.store.highWater()).to.equal(highWater);
      expect((await request(collectionUrl, { method: 'POST', body: { data: { n: 7 } }, headers: { 'If-Match': '*' } })).status).to.equal(201);
    });
  });

  describe('If-None-Match on PUT', () => {
    it('* creates only: 412 over a live item, nothing written', async () => {
      expect((await put({ n: 1 }, { 'If-None-Match': '*' })).status).to.equal(201);
      const before = await node.store.getItem('items', ID);
      expectProblem(await put({ n: 2 }, { 'If-None-Match': '*' }), 412, 'precondition-failed');
      expectProblem(await put({ n: 1 }, { 'If-None-Match': '*' }), 412);
      expect(await node.store.getItem('items', ID)).to.deep.equal(before);
    });

    it('an entity tag refuses to overwrite that version (weak comparison) and lets others through', async () => {
      await put({ n: 1 });
      expectProblem(await put({ n: 2 }, { 'If-None-Match': `W/"${fingerprint({ n: 1 })}"` }), 412);
      expect((await put({ n: 2 }, { 'If-None-Match': `"${fingerprint({ n: 0 })}"` })).status).to.equal(200);
    });

    it('a tombstone matches neither: * revives it (200)', async () => {
      await put({ n: 1 });
      await request(itemUrl, { method: 'DELETE' });
      expect((await put({ n: 3 }, { 'If-None-Match': '*' })).status).to.equal(200);
      expect((await request(itemUrl)).json.data).to.deep.equal({ n: 3 });
    });
  });

  describe('invalid writes change nothing', () => {
    it('data that breaks the collection schema is a 422 with pointers under /data', async () => {
      const reply = await put({ n: 'one' });
      const problem = expectProblem(reply, 422, 'validation-failed');
      expect(pointers(problem)).to.deep.equal(['/data/n']);
      expect(await node.store.highWater()).to.equal(0);
    });

    it('a body that is not { data } is a 422', async () => {
      const extra = expectProblem(await request(itemUrl, { method: 'PUT', body: { data: {}, more: 1 } }), 422);
      expect(pointers(extra)).to.deep.equal(['/more']);
      const missing = expectProblem(await request(itemUrl, { method: 'PUT', body: { n: 1 } }), 422);
      expect(pointers(missing)).to.include('/data');
      expect(await node.store.highWater()).to.equal(0);
    });

    it('a collection without a schema takes any JSON object, and only objects', async () => {
      await node.close();
      node = await startNode();
      const url = `${node.url}items/${ID}`;
      expect((await request(url, { method: 'PUT', body: { data: { anything: [1, { deep: true }] } } })).status).to.equal(201);
      for (const data of [1, 'text', [1], null, true]) {
        expectProblem(await request(url, { method: 'PUT', body: { data } }), 422);
      }
      expect((await request(`${node.url}schemas/items`)).json).to.include({ type: 'object' });
    });

    it('non-UUID item ids are 400 on PUT', async () => {
      expectProblem(await request(`${node.url}items/123`, { method: 'PUT', body: { data: {} } }), 400);
      expect(await node.store.highWater()).to.equal(0);
    });
  });
});
