import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UntrustedOrigin } from '../../../lib/client/errors.js';
import { syncStore } from '../../../lib/client/connect.js';
import { createApp } from '../../../lib/server/app.js';
import { MemoryStore } from '../../../lib/store/memory.js';
import { openStore } from '../../../lib/store/open.js';
import { expectProblem, expectRejection, pointers } from '../../support/expect.js';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { request } from '../../support/http.js';
import { halsync } from '../../support/serve.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { contents, newId, put } from '../../support/sync.js';

const WRITE = 'write-token-0123';
const READ = 'read-token-4567';
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

describe('server: bearer tokens with scopes', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode({ token: WRITE, auth: [{ token: READ, scope: 'read' }] })));
  afterEach(async () => node.close());

  it('lets a read token GET, HEAD and OPTIONS everything, the root, /rels and /openapi included', async () => {
    const id = newId();
    await put(node.store, id, { n: 1 });
    for (const path of ['', 'items', 'items/transactions', `items/${id}`, 'rels/item', 'schemas/items', 'openapi']) {
      expect((await request(node.url + path, { headers: bearer(READ) })).status, path).to.equal(200);
      expect((await request(node.url + path, { method: 'HEAD', headers: bearer(READ) })).status, `HEAD ${path}`).to.equal(200);
    }
    expect((await request(`${node.url}items`, { method: 'OPTIONS', headers: bearer(READ) })).status).to.equal(204);
  });

  it('answers 403 problem+json with insufficient_scope to every write with a read token, and writes nothing', async () => {
    const id = newId();
    await put(node.store, id, { n: 1 });
    const before = await node.store.highWater();
    const entry = { itemId: newId(), updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: '0'.repeat(40), deleted: false, data: {}, base: null };
    const writes: Array<[string, string, unknown]> = [
      ['PUT', `items/${newId()}`, { data: {} }],
      ['POST', 'items', { data: {} }],
      ['DELETE', `items/${id}`, undefined],
      ['PUT', 'items/transactions', { entries: [entry] }],
      // Scope is checked before routing: a write anywhere is refused the same way.
      ['PATCH', 'items', {}],
      ['POST', 'nothing/here', {}],
    ];
    for (const [method, path, body] of writes) {
      const reply = await request(node.url + path, { method, headers: bearer(READ), ...(body === undefined ? {} : { body }) });
      expectProblem(reply, 403, 'forbidden');
      expect(reply.headers['www-authenticate'], `${method} ${path}`).to.equal('Bearer realm="halsync", error="insufficient_scope", scope="write"');
    }
    expect(await node.store.highWater()).to.equal(before);
  });

  it('lets the read-write token write', async () => {
    expect((await request(`${node.url}items`, { method: 'POST', headers: bearer(WRITE), body: { data: { n: 1 } } })).status).to.equal(201);
  });

  it('answers 401 with a bare Bearer challenge without a token, and error="invalid_token" with a wrong one', async () => {
    const none = await request(node.url);
    expectProblem(none, 401, 'unauthorized');
    expect(none.headers['www-authenticate']).to.equal('Bearer realm="halsync"');
    for (const wrong of [`${READ}x`, READ.slice(0, -1), 'x', `${WRITE}${WRITE}`]) {
      const reply = await request(node.url, { headers: bearer(wrong) });
      expectProblem(reply, 401, 'unauthorized');
      expect(reply.headers['www-authenticate']).to.equal('Bearer realm="halsync", error="invalid_token"');
    }
    // OPTIONS is no exception: a protected node tells a stranger nothing, not even its methods.
    expectProblem(await request(`${node.url}items`, { method: 'OPTIONS' }), 401, 'unauthorized');
  });

  it('refuses a token that cannot travel in a Bearer header, and an empty token list', () => {
    const store = new MemoryStore();
    expect(() => createApp({ store, auth: [{ token: 'has space', scope: 'read' }] })).to.throw(/bearer token must be/);
    expect(() => createApp({ store, auth: [{ token: 'tab\there', scope: 'write' }] })).to.throw(/bearer token must be/);
    // No tokens at all is an open node, as without the option.
    expect(() => createApp({ store, auth: [] })).to.not.throw();
  });
});

describe('server: principals from a principals file and from createApp({ authenticate })', () => {
  const ALICE = 'alice-token-0123';
  const principals = { [ALICE]: { id: 'alice', grants: { items: { read: ['alice', 'shared'], write: ['alice'] } } } };
  let node: StartedNode;
  afterEach(async () => node.close());

  it("puts a principals file token's grants to work: reads and writes in its channels only; 401 for none or a wrong one", async () => {
    node = await startNode({ token: WRITE, principals, collections: [{ name: 'items', channels: '/owner' }, { name: 'admin-only' }] });
    const mine = await request(`${node.url}items`, { method: 'POST', headers: bearer(ALICE), body: { data: { owner: 'alice' } } });
    expect(mine.status).to.equal(201);
    const shared = await request(`${node.url}items`, { method: 'POST', headers: bearer(WRITE), body: { data: { owner: 'shared' } } });
    const hidden = await request(`${node.url}items`, { method: 'POST', headers: bearer(WRITE), body: { data: { owner: 'bob' } } });
    expect((await request(`${node.url}items/${shared.json.itemId}`, { headers: bearer(ALICE) })).status).to.equal(200);
    expectProblem(await request(`${node.url}items/${hidden.json.itemId}`, { headers: bearer(ALICE) }), 404, 'not-found');
    // It may read "shared" but not write it.
    const edit = await request(`${node.url}items/${shared.json.itemId}`, { method: 'PUT', headers: bearer(ALICE), body: { data: { owner: 'shared', n: 1 } } });
    expectProblem(edit, 403, 'forbidden');
    // Moving its own item into a channel it may not write is refused too (the channels it will have).
    const move = await request(`${node.url}items/${mine.json.itemId}`, { method: 'PUT', headers: bearer(ALICE), body: { data: { owner: 'shared' } } });
    expectProblem(move, 403, 'forbidden');
    const root = await request(node.url, { headers: bearer(ALICE) });
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items']);
    expect((await request(node.url, { headers: bearer(WRITE) })).json._links['sync:collection']).to.have.length(2);
    expectProblem(await request(node.url), 401, 'unauthorized');
    expectProblem(await request(node.url, { headers: bearer('alice-token-0124') }), 401, 'unauthorized');
  });

  it('refuses a channel value that is not a string or an array of strings with 422 at its pointer', async () => {
    node = await startNode({ principals, collections: [{ name: 'items', channels: '/owner' }] });
    const item = await request(`${node.url}items`, { method: 'POST', headers: bearer(ALICE), body: { data: { owner: 7 } } });
    expect(pointers(expectProblem(item, 422, 'validation-failed'))).to.deep.equal(['/data/owner']);
    const data = { owner: ['alice', 3] };
    const entry = { itemId: newId(), updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null };
    const ok = { ...entry, itemId: newId(), data: { owner: 'alice' }, fingerprint: fingerprint({ owner: 'alice' }) };
    const log = await request(`${node.url}items/transactions`, {
      method: 'PUT',
      headers: bearer(ALICE),
      body: { entries: [ok, ok, ok, entry].map((e, i) => (i < 3 ? { ...e, itemId: newId() } : e)) },
    });
    expect(pointers(expectProblem(log, 422, 'validation-failed'))).to.deep.equal(['/entries/3/data/owner/1']);
  });

  it('takes the principal createApp({ authenticate }) answers, and 401 when it answers null', async () => {
    node = await startNode({
      collections: [{ name: 'items', channels: '/owner' }, { name: 'other' }],
      authenticate: (ctx) => (ctx.get('X-User') === 'carol' ? { id: 'carol', kind: 'scoped', grants: { items: { read: ['carol'], write: ['carol'] } } } : null),
    });
    const root = await request(node.url, { headers: { 'X-User': 'carol' } });
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items']);
    expect((await request(`${node.url}items`, { method: 'POST', headers: { 'X-User': 'carol' }, body: { data: { owner: 'carol' } } })).status).to.equal(201);
    expectProblem(await request(node.url, { headers: { 'X-User': 'mallory' } }), 401, 'unauthorized');
    // The browser page holds no data: served to anyone.
    expect((await request(node.url, { headers: { Accept: 'text/html' } })).status).to.equal(200);
  });

  it('keeps jobs to the principal that created them', async () => {
    const BOB = 'bob-token-4567';
    node = await startNode({
      principals: { ...principals, [BOB]: { id: 'bob', grants: { items: { read: ['bob'], write: ['bob'] } } } },
      collections: [{ name: 'items', channels: '/owner' }],
    });
    const data = { owner: 'alice' };
    const entry = { itemId: newId(), updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: null };
    const accepted = await request(`${node.url}items/transactions`, {
      method: 'PUT',
      headers: { ...bearer(ALICE), Prefer: 'respond-async' },
      body: { entries: [entry] },
    });
    const location = String(accepted.headers['location']);
    expectProblem(await request(location, { headers: bearer(BOB) }), 404, 'not-found');
    expect((await request(location, { headers: bearer(ALICE) })).status).to.equal(200);
  });

  it('refuses a principals file entry whose token cannot travel in a Bearer header', () => {
    expect(() => createApp({ store: new MemoryStore(), principals: { 'has space': { id: 'x', grants: {} } } })).to.throw(/bearer token must be/);
  });
});

/** A bare HTTP server that records what it was sent and answers with `respond`. */
async function spy(
  respond: (url: string) => { status: number; headers?: Record<string, string>; body?: unknown },
): Promise<{ url: string; seen: IncomingHttpHeaders[]; server: Server }> {
  const seen: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers);
    const answer = respond(req.url ?? '/');
    res.writeHead(answer.status, { 'Content-Type': 'application/hal+json', ...answer.headers });
    res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen, server };
}

describe('client: the token never leaves the trusted origins', () => {
  const closers: Array<() => void> = [];
  afterEach(() => closers.splice(0).forEach((close) => close()));

  it('refuses to follow a link to another origin before sending anything there', async () => {
    const evil = await spy(() => ({ status: 200, body: {} }));
    closers.push(() => evil.server.close());
    const root = await spy(() => ({
      status: 200,
      body: { _links: { self: { href: '/' }, 'sync:collection': [{ href: `${evil.url}items`, name: 'items', title: 'items' }] } },
    }));
    closers.push(() => root.server.close());
    await expectRejection(syncStore(new MemoryStore(), root.url, { token: WRITE }), UntrustedOrigin);
    expect(root.seen[0]?.authorization, 'the given origin gets the token').to.equal(`Bearer ${WRITE}`);
    expect(evil.seen.length, 'the other origin gets no request at all').to.equal(0);
  });

  it('refuses a redirect to another origin before sending anything there', async () => {
    const evil = await spy(() => ({ status: 200, body: {} }));
    closers.push(() => evil.server.close());
    const root = await spy(() => ({ status: 307, headers: { Location: `${evil.url}root` } }));
    closers.push(() => root.server.close());
    await expectRejection(syncStore(new MemoryStore(), root.url, { token: WRITE }), UntrustedOrigin);
    expect(evil.seen.length).to.equal(0);
  });
});

describe('halsync sync against a protected node', function () {
  this.timeout(20000);

  let node: StartedNode;
  beforeEach(async () => (node = await startNode({ token: WRITE, auth: [{ token: READ, scope: 'read' }] })));
  afterEach(async () => node.close());

  it('pulls with --token, and with HALSYNC_TOKEN', async () => {
    await put(node.store, newId(), { n: 1 });
    const flag = await halsync(['sync', node.url, '--store', 'memory:', '--token', READ, '--json']);
    expect(flag.code, flag.stderr).to.equal(0);
    expect(JSON.parse(flag.stdout).pulled).to.equal(1);
    const env = await halsync(['sync', node.url, '--store', 'memory:', '--json'], { env: { HALSYNC_TOKEN: READ } });
    expect(env.code, env.stderr).to.equal(0);
    expect(JSON.parse(env.stdout).pulled).to.equal(1);
  });

  it('pushes with a read-write token; a read token fails in one line with 403 and pushes nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-auth-'));
    try {
      // A local store with one item: the sync has something to push.
      const local = `sqlite:${join(dir, 'local.db')}`;
      const store = await openStore(local);
      await put(store, newId(), { local: true });
      await store.close();
      const refused = await halsync(['sync', node.url, '--store', local], { env: { HALSYNC_TOKEN: READ } });
      expect(refused.code).to.equal(1);
      expect(refused.stderr).to.match(/^halsync sync: .*refused the write \(403\): the token is read-only/);
      expect(refused.stderr.trim().split('\n').length).to.equal(1);
      expect(await contents(node.store)).to.deep.equal({});
      const pushed = await halsync(['sync', node.url, '--store', local, '--json'], { env: { HALSYNC_TOKEN: WRITE } });
      expect(pushed.code, pushed.stderr).to.equal(0);
      expect(JSON.parse(pushed.stdout).pushed).to.equal(1);
      expect(Object.keys(await contents(node.store)).length).to.equal(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
