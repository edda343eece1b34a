import { expect } from 'chai';
import { request as httpRequest } from 'node:http';
import { MemoryStore } from '../../../lib/store/memory.js';
import type { Change, Store } from '../../../lib/store/store.js';
import { request, type Reply } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { newId } from '../../support/sync.js';
import { until } from '../../support/until.js';

/** A memory store that counts the watches open on it, to see held requests let go of theirs. */
class CountingStore extends MemoryStore {
  open = 0;
  override async watch(collection: string, listener: (change: Change) => void): Promise<() => void> {
    const stop = await super.watch(collection, listener);
    this.open++;
    return () => {
      this.open--;
      stop();
    };
  }
}

describe('server: log GET with Prefer: wait (long poll)', () => {
  let node: StartedNode;
  let store: CountingStore;
  let logUrl: string;
  beforeEach(async () => {
    store = new CountingStore();
    node = await startNode({ store });
    logUrl = `${node.url}items/transactions`;
  });
  afterEach(async () => node.close());

  async function checkpointNow(): Promise<string> {
    return (await request(logUrl)).json.checkpoint;
  }

  const write = (itemId: string, data: unknown) => request(`${node.url}items/${itemId}`, { method: 'PUT', body: { data } });

  it('holds a page with no change after the cursor until a change is recorded, then lists it', async () => {
    const cursor = await checkpointNow();
    let answered = false;
    const held = request(`${logUrl}?cursor=${cursor}`, { headers: { Prefer: 'wait=20' } }).then((reply) => ((answered = true), reply));
    await until(() => store.open === 1, { message: 'the GET is held' });
    expect(answered).to.equal(false);
    const itemId = newId();
    expect((await write(itemId, { v: 1 })).status).to.equal(201);
    const reply = await held;
    expect(reply.status).to.equal(200);
    expect(reply.headers['preference-applied']).to.equal('wait=20');
    expect(reply.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([itemId]);
    expect(reply.json.checkpoint).to.not.equal(cursor);
    expect(store.open).to.equal(0);
  });

  it('answers at once when there already are changes after the cursor', async () => {
    const cursor = await checkpointNow();
    await write(newId(), { v: 1 });
    const reply = await request(`${logUrl}?cursor=${cursor}`, { headers: { Prefer: 'wait=60' } });
    expect(reply.json.count).to.equal(1);
    expect(reply.headers['preference-applied']).to.equal('wait=60');
  });

  it('answers the empty page with the same checkpoint when the wait ends with no change', async () => {
    await write(newId(), { v: 1 });
    const cursor = await checkpointNow();
    const started = Date.now();
    const reply = await request(`${logUrl}?cursor=${cursor}`, { headers: { Prefer: 'wait=1' } });
    // Held, not answered at once: the wait is the behaviour under test, not a speed.
    expect(Date.now() - started).to.be.at.least(900);
    expect(reply.status).to.equal(200);
    expect(reply.json.count).to.equal(0);
    expect(reply.json.checkpoint).to.equal(cursor);
    expect(reply.headers['preference-applied']).to.equal('wait=1');
  });

  it('holds a wait longer than the request time limit to its end: the empty page, not a 503', async () => {
    // A live client waits 30 s by default and a node's time limit is 30 s: a GET never writes, so the limit is not its.
    const other = await startNode({ requestTimeout: 200 });
    try {
      const url = `${other.url}items/transactions`;
      const cursor = (await request(url)).json.checkpoint;
      const reply = await request(`${url}?cursor=${cursor}`, { headers: { Prefer: 'wait=1' } });
      expect(reply.status).to.equal(200);
      expect(reply.json.count).to.equal(0);
      expect(reply.json.checkpoint).to.equal(cursor);
    } finally {
      await other.close();
    }
  });

  it('caps the wait at 60 seconds and says so', async () => {
    const cursor = await checkpointNow();
    const held = request(`${logUrl}?cursor=${cursor}`, { headers: { Prefer: 'respond-async, wait=3600' } });
    await until(() => store.open === 1, { message: 'the GET is held' });
    await write(newId(), { v: 1 });
    expect((await held).headers['preference-applied']).to.equal('wait=60');
  });

  it('ignores a malformed or zero wait: answers at once, applying no preference', async () => {
    for (const prefer of ['wait=soon', 'wait=0', 'wait', 'wait=-1']) {
      const reply = await request(`${logUrl}?cursor=${await checkpointNow()}`, { headers: { Prefer: prefer } });
      expect(reply.status, prefer).to.equal(200);
      expect(reply.headers['preference-applied'], prefer).to.equal(undefined);
    }
  });

  it('stops watching when the client goes away', async () => {
    const cursor = await checkpointNow();
    const req = httpRequest(`${logUrl}?cursor=${cursor}`, { headers: { Prefer: 'wait=60' }, agent: false });
    req.on('error', () => {});
    req.end();
    await until(() => store.open === 1, { message: 'the GET is held' });
    req.destroy();
    await until(() => store.open === 0, { message: 'the watch is stopped' });
  });

  it('answers held GETs at once when the node closes (its signal aborts)', async () => {
    const closing = new AbortController();
    const other = await startNode({ store: new CountingStore(), signal: closing.signal });
    try {
      const url = `${other.url}items/transactions`;
      const cursor = (await request(url)).json.checkpoint;
      const held = request(`${url}?cursor=${cursor}`, { headers: { Prefer: 'wait=60' } });
      await until(() => (other.store as CountingStore).open === 1, { message: 'the GET is held' });
      closing.abort();
      const reply: Reply = await held;
      expect(reply.status).to.equal(200);
      expect(reply.json.count).to.equal(0);
      // A closing node holds nothing new.
      const after = await request(`${url}?cursor=${cursor}`, { headers: { Prefer: 'wait=60' } });
      expect(after.headers['preference-applied']).to.equal(undefined);
    } finally {
      await other.close();
    }
  });

  it('does not wait on a store without watch', async () => {
    const plain: Store = new MemoryStore();
    Object.defineProperty(plain, 'watch', { value: undefined });
    const other = await startNode({ store: plain });
    try {
      const reply = await request(`${other.url}items/transactions`, { headers: { Prefer: 'wait=60' } });
      expect(reply.status).to.equal(200);
      expect(reply.headers['preference-applied']).to.equal(undefined);
    } finally {
      await other.close();
    }
  });
});

describe('server: Prefer: wait across processes sharing PostgreSQL', function () {
  const url = process.env.HALSYNC_TEST_PG;
  const schema = `halsync_test_wait_${process.pid}_${Date.now().toString(36)}`;
  let nodes: StartedNode[] = [];

  before(function () {
    if (url) return;
    if (process.env.CI === 'true') throw new Error('PostgreSQL tests cannot run under CI: HALSYNC_TEST_PG is not set');
    this.skip();
  });
  after(async function () {
    await Promise.all(nodes.map(async (node) => (await node.close(), await node.store.close())));
    if (!url) return;
    const pg = (await import('pg')).default;
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it('wakes a GET held by one node when another node over the same database records a change (LISTEN/NOTIFY)', async () => {
    const { PostgresStore } = await import('../../../lib/store/postgres.js');
    const target = new URL(url!);
    target.searchParams.set('schema', schema);
    const waiting = await PostgresStore.open(target.href);
    // Counts, on this instance only, the watches that are listening and the log reads made while one is.
    let listening = 0;
    let readsWhileListening = 0;
    const [watch, changes] = [waiting.watch.bind(waiting), waiting.changes.bind(waiting)];
    waiting.watch = async (collection, listener) => {
      const stop = await watch(collection, listener);
      listening++;
      return () => (listening--, stop());
    };
    waiting.changes = (async (collection: string, query: Parameters<typeof changes>[1]) => {
      const watched = listening > 0;
      try {
        return await changes(collection, query);
      } finally {
        if (watched) readsWhileListening++;
      }
    }) as typeof waiting.changes;
    nodes = [await startNode({ store: await PostgresStore.open(target.href) }), await startNode({ store: waiting })];
    const [one, two] = nodes as [StartedNode, StartedNode];
    const cursor = (await request(`${two.url}items/transactions`)).json.checkpoint;
    let answered = false;
    const held = request(`${two.url}items/transactions?cursor=${cursor}`, { headers: { Prefer: 'wait=30' } }).then((reply) => ((answered = true), reply));
    // The held GET subscribes first (its LISTEN connection opens), then reads its empty page and waits.
    await until(() => listening > 0 && readsWhileListening > 0, { message: 'the held GET listens and has read its empty page' });
    expect(answered).to.equal(false);
    const itemId = newId();
    expect((await request(`${one.url}items/${itemId}`, { method: 'PUT', body: { data: { from: 'one' } } })).status).to.equal(201);
    const reply = await held;
    expect(reply.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([itemId]);
  });
});
