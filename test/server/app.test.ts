import { expect } from 'chai';
import { createApp, shutdownApp } from '../../lib/server/app.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId } from '../support/sync.js';

const entry = (n: number) => ({
  itemId: newId(),
  updatedAt: '2025-01-01T00:00:00.000Z',
  fingerprint: fingerprint({ n }),
  deleted: false,
  data: { n },
  base: null,
});

describe('server/app: createApp', () => {
  let node: StartedNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('serves one collection, items, by default, at the default paths', async () => {
    node = await startNode();
    const root = await request(node.url);
    expect(root.status).to.equal(200);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items']);
    expect((await request(`${node.url}items`)).json.name).to.equal('items');
    expectProblem(await request(`${node.url}notes`), 404, 'not-found');
  });

  it('serves the configured collections under configured paths', async () => {
    node = await startNode({
      collections: [{ name: 'notes', title: 'Notes' }, { name: 'jobs' }],
      paths: { root: '/api/', collection: '/api/c/{collection}', transactions: '/api/c/{collection}/log', item: '/api/c/{collection}/i/{itemId}' },
    });
    const base = node.url.replace(/\/api\/$/, '');
    expect((await request(`${base}/api/c/notes`)).json.title).to.equal('Notes');
    expect((await request(`${base}/api/c/jobs/log`)).status).to.equal(200);
    expectProblem(await request(`${base}/notes`), 404, 'not-found');
  });

  it('varies GET answers on Accept and gives a browser the HAL browser', async () => {
    node = await startNode();
    const json = await request(`${node.url}items`);
    expect(json.headers['vary']).to.match(/Accept(?!-)/);
    const page = await request(`${node.url}items`, { headers: { Accept: 'text/html' } });
    expect(page.headers['content-type']).to.match(/^text\/html/);
  });

  it('refuses bad options at once, naming them', () => {
    const store = new MemoryStore();
    expect(() => createApp({ store, paths: { root: 'api/' } })).to.throw(/paths.root must start with "\/"/);
    expect(() => createApp({ store, paths: { item: '/{collection}/x' } })).to.throw(/paths.item must contain \{itemId\}/);
    expect(() => createApp({ store, requestTimeout: 1.5 })).to.throw(/requestTimeout must be a whole number/);
    expect(() => createApp({ store, maxActiveJobs: 0 })).to.throw(/maxActiveJobs must be a positive integer/);
    expect(() => createApp({ store, bodyLimit: -1 })).to.throw(/bodyLimit must be a positive integer/);
  });

  it('shutdownApp waits for accepted sync logs, and answers 0 for an app without any', async () => {
    node = await startNode({ asyncThreshold: 1 });
    expect(await shutdownApp(node.app, 10)).to.equal(0);
    const accepted = await request(`${node.url}items/transactions`, { method: 'PUT', body: { entries: [entry(1), entry(2)] } });
    expect(accepted.status).to.equal(202);
    expect(await shutdownApp(node.app, 5000)).to.equal(0);
    expect(await node.store.highWater()).to.equal(2);
    expect((await request(accepted.headers.location!)).json.state).to.equal('succeeded');
  });
});
