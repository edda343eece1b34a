import { expect } from 'chai';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context, Next } from 'koa';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { createApp } from '../../lib/server/app.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { installContractCheck, takeViolations } from '../support/contract.js';
import { request, type Reply } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { until } from '../support/until.js';

/**
 * Every operation of openapi/openapi.yaml and every status it documents, over real HTTP.
 * The assertions here are about the server; the contract check (test/support/hooks.ts)
 * fails any of these tests whose responses stray from the document.
 */
const HAL = { Accept: 'application/hal+json' };
const ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';

function expectStatus(reply: Reply, status: number): void {
  expect(reply.status, `${reply.status}: ${reply.text.slice(0, 300)}`).to.equal(status);
}

describe('contract: every documented operation and status', function () {
  let node: StartedNode;
  let base: string;
  beforeEach(async () => {
    node = await startNode({ asyncThreshold: 50 });
    base = node.url.replace(/\/$/, '');
  });
  afterEach(async () => node.close());

  it('root, collection, schema, rels and the OpenAPI document, as HAL, HTML, Markdown, JSON and YAML', async () => {
    expectStatus(await request(`${base}/`, { headers: HAL }), 200);
    expectStatus(await request(`${base}/`, { method: 'HEAD', headers: HAL }), 200);
    expectStatus(await request(`${base}/`, { headers: { Accept: 'text/html' } }), 200);
    expectStatus(await request(`${base}/`, { headers: { Accept: 'image/png' } }), 200);
    expectStatus(await request(`${base}/items`, { headers: HAL }), 200);
    expectStatus(await request(`${base}/items`, { headers: { Accept: 'text/html' } }), 200);
    expectStatus(await request(`${base}/schemas/items`), 200);
    expectStatus(await request(`${base}/rels/item`), 200);
    expectStatus(await request(`${base}/rels/item`, { headers: { Accept: 'text/html' } }), 200);
    const json = await request(`${base}/openapi`);
    expectStatus(json, 200);
    expect(json.json.openapi).to.equal('3.1.0');
    const yaml = await request(`${base}/openapi`, { headers: { Accept: 'application/yaml' } });
    expectStatus(yaml, 200);
    expect(yaml.text).to.match(/^openapi: 3\.1\.0$/m);
  });

  it('items: create, read, 304, replace, If-Match 412, delete, 410, revive', async () => {
    const created = await request(`${base}/items`, { method: 'POST', body: { data: { n: 1 } }, headers: HAL });
    expectStatus(created, 201);
    const uri = created.headers.location!;
    const etag = created.headers.etag!;
    expectStatus(await request(uri, { headers: HAL }), 200);
    expectStatus(await request(uri, { headers: { ...HAL, 'If-None-Match': etag } }), 304);
    expectStatus(await request(uri, { method: 'PUT', body: { data: { n: 2 } }, headers: { 'If-Match': etag } }), 200);
    expectStatus(await request(uri, { method: 'PUT', body: { data: { n: 3 } }, headers: { 'If-Match': etag } }), 412);
    expectStatus(await request(`${base}/items/${ID}`, { method: 'PUT', body: { data: { n: 1 } } }), 201);
    expectStatus(await request(uri, { method: 'DELETE' }), 204);
    expectStatus(await request(uri, { headers: HAL }), 410);
    expectStatus(await request(uri, { method: 'DELETE' }), 204);
    expectStatus(await request(uri, { method: 'PUT', body: { data: { n: 4 } } }), 200);
  });

  it('transaction log: pages with next, embed=data, 400 for a bad cursor or limit', async () => {
    for (let i = 0; i < 3; i++) expectStatus(await request(`${base}/items`, { method: 'POST', body: { data: { i } } }), 201);
    const first = await request(`${base}/items/transactions?limit=2&embed=data`, { headers: HAL });
    expectStatus(first, 200);
    expect(first.json._embedded['sync:entry'].length).to.equal(2);
    const next = await request(first.json._links.next.href, { headers: HAL });
    expectStatus(next, 200);
    expect(next.json._links.next).to.equal(undefined);
    expectStatus(await request(`${base}/items/transactions?earliest=2000-01-01T00:00:00.000Z`, { headers: HAL }), 200);
    expectStatus(await request(`${base}/items/transactions?cursor=!!`, { headers: HAL }), 400);
    expectStatus(await request(`${base}/items/transactions?limit=0`, { headers: HAL }), 400);
  });

  it('sync log PUT: 200, 409 with conflicts, 422, and 202 with a job', async () => {
    const entry = (n: number, base: string | null) => ({
      itemId: ID,
      updatedAt: '2026-01-01T00:00:00.000Z',
      fingerprint: fingerprint({ n }),
      deleted: false,
      data: { n },
      base,
    });
    const ok = await request(`${base}/items/transactions`, { method: 'PUT', body: { entries: [entry(1, null)] } });
    expectStatus(ok, 200);
    const conflict = await request(`${base}/items/transactions`, { method: 'PUT', body: { entries: [entry(2, null)] } });
    expectStatus(conflict, 409);
    expect(conflict.json.conflicts[0].itemId).to.equal(ID);
    const wrong = { ...entry(3, fingerprint({ n: 1 })), fingerprint: fingerprint({ n: 4 }) };
    expectStatus(await request(`${base}/items/transactions`, { method: 'PUT', body: { entries: [wrong] } }), 422);
    expectStatus(await request(`${base}/items/transactions`, { method: 'PUT', body: { entries: [], extra: 1 } }), 422);
    const accepted = await request(`${base}/items/transactions`, {
      method: 'PUT',
      headers: { Prefer: 'respond-async' },
      body: { entries: [entry(5, fingerprint({ n: 1 }))] },
    });
    expectStatus(accepted, 202);
    expect(accepted.headers['preference-applied']).to.equal('respond-async');
    const job = await until(
      async () => {
        const reply = await request(accepted.headers.location!, { headers: HAL });
        expectStatus(reply, 200);
        return reply.json.state === 'succeeded' || reply.json.state === 'failed' ? reply : null;
      },
      { interval: 20, message: 'the job finished' },
    );
    expect(job.json.state).to.equal('succeeded');
    expect(job.json.result.applied).to.equal(1);
  });

  it('errors: 400, 404, 405, OPTIONS, 413, 415, 422', async () => {
    expectStatus(await request(`${base}/items/not-a-uuid`, { headers: HAL }), 400);
    expectStatus(await request(`${base}/items/${ID}`, { headers: HAL }), 404);
    expectStatus(await request(`${base}/nope`, { headers: HAL }), 404);
    expectStatus(await request(`${base}/nope/a/b`, { headers: HAL }), 404);
    expectStatus(await request(`${base}/jobs/unknown`, { headers: HAL }), 404);
    expectStatus(await request(`${base}/rels/nope`), 404);
    expectStatus(await request(`${base}/schemas/nope`), 404);
    expectStatus(await request(`${base}/items/${ID}`, { method: 'DELETE' }), 404);
    expectStatus(await request(`${base}/items`, { method: 'DELETE' }), 405);
    expectStatus(await request(`${base}/`, { method: 'PATCH', body: {} }), 405);
    expectStatus(await request(`${base}/items`, { method: 'OPTIONS' }), 204);
    expectStatus(await request(`${base}/items`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }), 415);
    expectStatus(await request(`${base}/items`, { method: 'POST', body: '{"data":' }), 400);
    expectStatus(await request(`${base}/items`, { method: 'POST', body: { data: 1, more: 2 } }), 422);
    expectStatus(await request(`${base}/items`, { method: 'POST', body: { data: 'x'.repeat(11 << 20) } }), 413);
  });

  it('401 everywhere when the node requires a token, but on the public pages, which hold no data', async () => {
    const locked = await startNode({ token: 'secret' });
    try {
      const base = locked.url.replace(/\/$/, '');
      for (const path of ['/', '/items', '/items/transactions', `/items/${ID}`, '/jobs/x', '/schemas/items']) {
        expectStatus(await request(base + path, { headers: HAL }), 401);
      }
      for (const path of ['/rels/item', '/openapi', '/docs', '/docs/swagger-ui.css', '/favicon.ico']) expectStatus(await request(base + path), 200);
      // The HTML browser page (its token prompt is what a stranger then meets); the data it fetches is still refused.
      for (const path of ['/', '/items', `/items/${ID}`]) {
        const page = await request(base + path, { headers: { Accept: 'text/html' } });
        expectStatus(page, 200);
        expect(page.text).to.match(/^<!doctype html>/);
      }
      expectStatus(await request(locked.url, { headers: { ...HAL, Authorization: 'Bearer secret' } }), 200);
    } finally {
      await locked.close();
    }
  });
});

describe('contract check', () => {
  it('records a response whose body has a field the document does not know', async () => {
    const app = createApp({ store: new MemoryStore() });
    app.use(async (ctx: Context, next: Next) => {
      await next();
      if (ctx.body && typeof ctx.body === 'object') ctx.body = { ...(ctx.body as object), surprise: true };
    });
    // Move the corrupting middleware before the router (the router answers without calling next).
    app.middleware.splice(app.middleware.length - 2, 0, app.middleware.pop()!);
    installContractCheck(app);
    const server = createServer(app.callback()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      await request(`http://127.0.0.1:${port}/items`, { headers: HAL });
      const violations = takeViolations();
      expect(violations.length).to.equal(1);
      expect(violations[0]!.problems.join('\n')).to.match(/surprise/);
    } finally {
      server.close();
    }
  });
});
