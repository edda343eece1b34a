import { expect } from 'chai';
import { gzipSync } from 'node:zlib';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId } from '../support/sync.js';

describe('server: gzipped request bodies (Content-Encoding)', () => {
  let node: StartedNode;
  beforeEach(async () => {
    node = await startNode({ bodyLimit: 4096 });
  });
  afterEach(async () => node.close());

  const gzipped = (value: unknown) => gzipSync(Buffer.from(JSON.stringify(value)));
  const syncLog = (id: string, data: Record<string, string>) => ({
    entries: [{ itemId: id, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null }],
  });

  it('applies a gzipped sync log, and takes identity and x-gzip too', async () => {
    const id = newId();
    const reply = await request(`${node.url}items/transactions`, {
      method: 'PUT',
      headers: { 'Content-Encoding': 'gzip' },
      body: gzipped(syncLog(id, { text: 'zipped' })),
    });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.json.applied).to.equal(1);
    const other = newId();
    expect(
      (await request(`${node.url}items/${other}`, { method: 'PUT', headers: { 'Content-Encoding': 'x-gzip' }, body: gzipped({ data: { n: 2 } }) })).status,
    ).to.equal(201);
    const plain = newId();
    expect(
      (await request(`${node.url}items/${plain}`, { method: 'PUT', headers: { 'Content-Encoding': 'identity' }, body: { data: { n: 3 } } })).status,
    ).to.equal(201);
    expect(await contents(node.store)).to.deep.equal({ [id]: { text: 'zipped' }, [other]: { n: 2 }, [plain]: { n: 3 } });
  });

  it('holds the inflated body to the limit: a small gzip bomb is a 413 and nothing is written', async () => {
    const bomb = gzipped(syncLog(newId(), { text: 'x'.repeat(1024 * 1024) }));
    expect(bomb.length).to.be.below(4096);
    const reply = await request(`${node.url}items/transactions`, { method: 'PUT', headers: { 'Content-Encoding': 'gzip' }, body: bomb });
    expectProblem(reply, 413, 'payload-too-large');
    expect(await node.store.highWater()).to.equal(0);
  });

  it('answers 415 with Accept-Encoding to a coding it does not read, and writes nothing', async () => {
    for (const coding of ['br', 'deflate', 'gzip, gzip', 'compress']) {
      const reply = await request(`${node.url}items/${newId()}`, { method: 'PUT', headers: { 'Content-Encoding': coding }, body: gzipped({ data: {} }) });
      expectProblem(reply, 415, 'unsupported-media-type');
      expect(reply.headers['accept-encoding'], coding).to.equal('gzip');
    }
    expect(await node.store.highWater()).to.equal(0);
  });

  it('answers 400 to a corrupt gzip body', async () => {
    const body = gzipped({ data: { text: 'cut short' } }).subarray(0, 20);
    expectProblem(await request(`${node.url}items/${newId()}`, { method: 'PUT', headers: { 'Content-Encoding': 'gzip' }, body }), 400);
    expect(await node.store.highWater()).to.equal(0);
  });

  it('advertises Accept-Encoding: gzip on the collection and its log', async () => {
    for (const url of [`${node.url}items`, `${node.url}items/transactions`]) {
      const reply = await request(url);
      expect(reply.status).to.equal(200);
      expect(reply.headers['accept-encoding'], url).to.equal('gzip');
    }
  });
});
