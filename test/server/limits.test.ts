import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { createApp } from '../../lib/server/app.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { ApplyOptions, ApplyOutcome, StoredItem, Write } from '../../lib/store/store.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { hangUpMidBody, rawExchange } from '../support/raw-request.js';
import { serve } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { until } from '../support/until.js';
import { newId } from '../support/sync.js';

const entry = (data: Json) => ({ itemId: newId(), updatedAt: '2025-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null });
const entries = (n: number) => Array.from({ length: n }, (_, i) => entry({ i }));

/** A real memory store that takes its time: reads before a write, or the write itself. It counts both. */
class SlowStore extends MemoryStore {
  /** Slow reads that have returned to their caller. */
  readsDone = 0;
  /** Applies begun (counted before the delay). */
  applies = 0;
  constructor(private readonly delays: { getItem?: number; apply?: number }) {
    super();
  }
  override async getItem(collection: string, itemId: string): Promise<StoredItem | null> {
    await sleep(this.delays.getItem ?? 0);
    try {
      return await super.getItem(collection, itemId);
    } finally {
      this.readsDone++;
    }
  }
  override async apply(collection: string, writes: readonly Write[], options?: ApplyOptions): Promise<ApplyOutcome> {
    this.applies++;
    await sleep(this.delays.apply ?? 0);
    return super.apply(collection, writes, options);
  }
}

describe('server: limits', () => {
  let node: StartedNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('refuses a sync log with more entries than maxEntries: 413 too-many-entries, nothing written', async () => {
    node = await startNode({ maxEntries: 3 });
    const log = `${node.url}items/transactions`;
    expectProblem(await request(log, { method: 'PUT', body: { entries: entries(4) } }), 413, 'too-many-entries');
    expect(await node.store.highWater()).to.equal(0);
    expect((await request(log, { method: 'PUT', body: { entries: entries(3) } })).status).to.equal(200);
  });

  it('caps a log page at maxPageSize: a larger limit is a 400, the default page shrinks to it', async () => {
    node = await startNode({ maxPageSize: 5 });
    const log = `${node.url}items/transactions`;
    expect((await request(log, { method: 'PUT', body: { entries: entries(7) } })).status).to.equal(200);
    expectProblem(await request(`${log}?limit=6`), 400, 'malformed-query');
    expectProblem(await request(`${log}?limit=99999999999`), 400, 'malformed-query');
    const page = await request(log);
    expect(page.json.count).to.equal(5);
    expect(page.json._links.next).to.be.ok;
  });

  it('answers 413 above bodyLimit', async () => {
    node = await startNode({ bodyLimit: 200 });
    expectProblem(await request(`${node.url}items`, { method: 'POST', body: { data: { text: 'x'.repeat(200) } } }), 413, 'payload-too-large');
    expect(await node.store.highWater()).to.equal(0);
  });

  it('times out a request that has not begun writing: 503 request-timeout with Retry-After, and it never writes later', async () => {
    const store = new SlowStore({ getItem: 300 });
    node = await startNode({ store, requestTimeout: 50 });
    const reply = await request(`${node.url}items/${newId()}`, { method: 'PUT', body: { data: { n: 1 } } });
    expectProblem(reply, 503, 'request-timeout');
    expect(reply.headers['retry-after']).to.equal('1');
    // The abandoned handler gets past its slow read after the 503: it must stop there. It would
    // go on to its write at once; one more exchange with the node leaves it time to.
    await until(() => store.readsDone > 0, { message: 'the abandoned handler finished its slow read' });
    expect((await request(node.url)).status).to.equal(200);
    expect(store.applies, 'the abandoned handler began no write').to.equal(0);
    expect(await node.store.highWater()).to.equal(0);
  });

  it('lets a request that has begun writing run to its end, however long the write takes', async () => {
    node = await startNode({ store: new SlowStore({ apply: 300 }), requestTimeout: 50 });
    const reply = await request(`${node.url}items/transactions`, { method: 'PUT', body: { entries: entries(2) } });
    expect(reply.status, reply.text).to.equal(200);
    expect(reply.json.applied).to.equal(2);
  });

  it('times out a sync log whose body never finishes arriving, and closes the connection', async () => {
    node = await startNode({ requestTimeout: 100 });
    const body = JSON.stringify({ entries: entries(3) });
    const half = body.slice(0, body.length >> 1);
    const head = `PUT /items/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
    const reply = await rawExchange(node.url, head + half);
    expect(reply).to.match(/^HTTP\/1\.1 503 /);
    expect(reply).to.match(/connection: close/i);
    expect(reply).to.match(/"type":"request-timeout"/);
    expect(await node.store.highWater()).to.equal(0);
  });

  it('refuses a sync log that would start a job while maxActiveJobs are waiting: 503 too-many-jobs with Retry-After', async () => {
    const store = new SlowStore({ apply: 300 });
    node = await startNode({ store, maxActiveJobs: 1 });
    const log = `${node.url}items/transactions`;
    const async = { Prefer: 'respond-async' };
    const accepted = await request(log, { method: 'PUT', headers: async, body: { entries: entries(1) } });
    expect(accepted.status).to.equal(202);
    const refused = await request(log, { method: 'PUT', headers: async, body: { entries: entries(1) } });
    expectProblem(refused, 503, 'too-many-jobs');
    expect(refused.headers['retry-after']).to.equal('1');
    // A log applied at once needs no job: it is not refused.
    expect((await request(log, { method: 'PUT', body: { entries: entries(1) } })).status).to.equal(200);
    await until(async () => ['succeeded', 'failed'].includes((await request(accepted.headers.location!)).json.state), { message: 'the first job finished' });
    expect(store.applies, 'the first job and the synchronous log began a write, not the refused one').to.equal(2);
    expect(await node.store.highWater(), 'the first job and the synchronous log, not the refused one').to.equal(2);
    expect((await request(log, { method: 'PUT', headers: async, body: { entries: entries(1) } })).status).to.equal(202);
  });

  it('refuses limits that are not positive integers, and reserved collection names, at createApp', () => {
    const store = new MemoryStore();
    expect(() => createApp({ store, maxEntries: 0 })).to.throw(/maxEntries must be a positive integer/);
    expect(() => createApp({ store, maxPageSize: 1.5 })).to.throw(/maxPageSize/);
    expect(() => createApp({ store, requestTimeout: -1 })).to.throw(/requestTimeout/);
    for (const name of ['jobs', 'rels', 'schemas', 'openapi']) {
      expect(() => createApp({ store, collections: [{ name }] })).to.throw(new RegExp(`collection name "${name}" is reserved`));
    }
    // Under other paths the names are free again.
    expect(() =>
      createApp({
        store,
        collections: [{ name: 'jobs' }],
        paths: { collection: '/c/{collection}', transactions: '/c/{collection}/transactions', item: '/c/{collection}/{itemId}' },
      }),
    ).to.not.throw();
  });
});

describe('halsync serve: limits and client errors', function () {
  this.timeout(20000);
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-limits-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('takes the limits as flags', async () => {
    const node = serve(['--store', 'memory:', '--port', '0', '--body-limit', '2000', '--max-entries', '2', '--max-page-size', '3']);
    try {
      const url = await node.started;
      const log = `${url}items/transactions`;
      expectProblem(await request(log, { method: 'PUT', body: { entries: entries(3) } }), 413, 'too-many-entries');
      expectProblem(await request(`${url}items`, { method: 'POST', body: { data: { x: 'y'.repeat(2000) } } }), 413, 'payload-too-large');
      expectProblem(await request(`${log}?limit=4`), 400, 'malformed-query');
      expect((await request(`${log}?limit=3`)).status).to.equal(200);
    } finally {
      await node.stop();
    }
  });

  it('answers oversized headers and a malformed request as problem+json, and logs nothing for a client that aborts', async () => {
    const node = serve(['--store', 'memory:', '--port', '0']);
    try {
      const url = await node.started;
      const big = await rawExchange(url, `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(big).to.match(/^HTTP\/1\.1 431 /);
      expect(big).to.match(/content-type: application\/problem\+json/i);
      expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4)).status).to.equal(431);
      const garbage = await rawExchange(url, 'NOT HTTP AT ALL\r\n\r\n');
      expect(garbage).to.match(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(garbage.slice(garbage.indexOf('\r\n\r\n') + 4)).type).to.equal('bad-request');
      // A client that sends half a body and goes away.
      const head = `PUT /items/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`;
      await hangUpMidBody(url, head, '{"entries":[');
      expect((await request(url)).status, 'the node still answers').to.equal(200);
      // Anything the node would print about the hung-up client is out once it has exited and its stderr ended.
      expect(await node.stop()).to.equal(0);
      await finished(node.child.stderr!);
      expect(node.stderr(), 'no stack trace, no line, for a client that went away').to.equal('');
    } finally {
      await node.stop();
    }
  });

  it('exits 1 with one line for a reserved collection name', async () => {
    const node = serve(['--store', 'memory:', '--port', '0', '--collection', 'items', '--collection', 'jobs']);
    const { code } = await node.exited;
    expect(code).to.equal(1);
    expect(node.stderr()).to.match(/^halsync serve: collection name "jobs" is reserved/);
    expect(node.stderr().trim().split('\n').length).to.equal(1);
  });

  it('exits 1 for a read token that cannot be sent as a Bearer token', async () => {
    const node = serve(['--store', 'memory:', '--port', '0'], { env: { HALSYNC_READ_TOKEN: 'ok-token,bad token' } });
    expect((await node.exited).code).to.equal(1);
    expect(node.stderr()).to.match(/bearer token must be/);
  });
});
