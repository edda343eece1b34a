import { expect } from 'chai';
import type { IncomingHttpHeaders } from 'node:http';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { createApp } from '../../../lib/server/app.js';
import { MemoryStore } from '../../../lib/store/memory.js';
import { request } from '../../support/http.js';
import { serve } from '../../support/serve.js';
import { startNode, type StartedNode } from '../../support/server.js';

const PAGE = 'https://app.example';
const TOKEN = 'cors-secret';
const ITEM = '00000000-0000-4000-8000-00000000e001';

/** The CORS headers of an answer, by lowercase name. */
function corsHeaders(headers: IncomingHttpHeaders): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => name.startsWith('access-control-')));
}

const list = (value: unknown) =>
  String(value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase());

function preflight(url: string, origin: string, method = 'PUT') {
  return request(url, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': method,
      'Access-Control-Request-Headers': 'authorization,content-type,content-encoding,if-match,if-none-match,prefer',
    },
  });
}

describe('CORS (--cors, createApp({ cors }))', function () {
  let node: StartedNode;
  afterEach(async () => node?.close());

  describe('for listed origins, on a node that wants a token', function () {
    beforeEach(async () => {
      node = await startNode({ cors: [PAGE, 'http://127.0.0.1:8080'], token: TOKEN });
    });

    it('answers a preflight without credentials, allowing the headers and methods a sync client sends', async function () {
      const reply = await preflight(`${node.url}items/transactions`, PAGE);
      expect(reply.status).to.equal(204);
      expect(reply.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(list(reply.headers['access-control-allow-headers'])).to.include.members([
        'authorization',
        'content-type',
        'content-encoding',
        'if-match',
        'if-none-match',
        'prefer',
      ]);
      expect(list(reply.headers['access-control-allow-methods'])).to.include.members(['get', 'put', 'post', 'delete']);
      expect(reply.headers['access-control-allow-credentials']).to.equal(undefined);
      expect(Number(reply.headers['access-control-max-age'])).to.be.greaterThan(0);
      const other = await preflight(`${node.url}items`, 'http://127.0.0.1:8080', 'POST');
      expect(other.headers['access-control-allow-origin']).to.equal('http://127.0.0.1:8080');
    });

    it('puts the headers on a success, exposing ETag, Location and Preference-Applied, and varies on Origin', async function () {
      const auth = { Authorization: `Bearer ${TOKEN}`, Origin: PAGE };
      const created = await request(`${node.url}items`, { method: 'POST', headers: auth, body: { data: { title: 'x' } } });
      expect(created.status).to.equal(201);
      expect(created.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(list(created.headers['access-control-expose-headers'])).to.include.members(['etag', 'location', 'preference-applied']);
      const item = await request(created.headers.location!, { headers: auth });
      expect(item.status).to.equal(200);
      expect(item.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(list(item.headers['vary'])).to.include('origin');
    });

    it('puts the headers on errors too: a 401, a 404 and a 409 problem document a page can read', async function () {
      const unauthenticated = await request(`${node.url}items`, { headers: { Origin: PAGE } });
      expect(unauthenticated.status).to.equal(401);
      expect(unauthenticated.headers['content-type']).to.match(/^application\/problem\+json/);
      expect(unauthenticated.headers['access-control-allow-origin']).to.equal(PAGE);
      expect(list(unauthenticated.headers['access-control-expose-headers'])).to.include('etag');

      const auth = { Authorization: `Bearer ${TOKEN}`, Origin: PAGE };
      const missing = await request(`${node.url}items/${ITEM}`, { headers: auth });
      expect(missing.status).to.equal(404);
      expect(missing.headers['access-control-allow-origin']).to.equal(PAGE);

      const data = { n: 1 };
      const log = await request(`${node.url}items/transactions`, { headers: auth });
      const put = await request(log.json._links.self.href, {
        method: 'PUT',
        headers: auth,
        // A base that is not the item's: the node refuses the log with 409.
        body: {
          entries: [{ itemId: ITEM, updatedAt: '2025-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, base: 'f'.repeat(40) }],
        },
      });
      expect(put.status).to.equal(409);
      expect(put.json.type).to.equal('conflict');
      expect(put.headers['access-control-allow-origin']).to.equal(PAGE);
    });

    it('gives an origin it does not list no CORS header, on a preflight or an answer', async function () {
      const refused = await preflight(`${node.url}items`, 'https://evil.example');
      expect(corsHeaders(refused.headers)).to.deep.equal({});
      const answer = await request(`${node.url}items`, { headers: { Origin: 'https://evil.example', Authorization: `Bearer ${TOKEN}` } });
      expect(answer.status).to.equal(200);
      expect(corsHeaders(answer.headers)).to.deep.equal({});
      const noOrigin = await request(`${node.url}items`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(corsHeaders(noOrigin.headers)).to.deep.equal({});
    });
  });

  it('with *, allows every origin (without credentials mode, so * stands)', async function () {
    node = await startNode({ cors: ['*'] });
    const reply = await preflight(`${node.url}items`, 'https://anywhere.example', 'POST');
    expect(reply.status).to.equal(204);
    expect(reply.headers['access-control-allow-origin']).to.equal('*');
    const answer = await request(`${node.url}items`, { headers: { Origin: 'http://localhost:5173' } });
    expect(answer.headers['access-control-allow-origin']).to.equal('*');
  });

  it('without the option sends no CORS header at all', async function () {
    node = await startNode();
    const answer = await request(`${node.url}items`, { headers: { Origin: PAGE } });
    expect(answer.status).to.equal(200);
    expect(corsHeaders(answer.headers)).to.deep.equal({});
    const options = await preflight(`${node.url}items`, PAGE);
    expect(corsHeaders(options.headers)).to.deep.equal({});
  });

  it('refuses an origin that is not one (a path, no scheme)', function () {
    for (const bad of ['app.example', 'https://app.example/notes', 'not a url']) {
      expect(() => createApp({ store: new MemoryStore(), cors: [bad] }), bad).to.throw(/cors: .* is not an origin/);
    }
  });

  it('halsync serve --cors (repeatable) answers the listed origins only', async function () {
    this.timeout(20000);
    const served = serve(['--store', 'memory:', '--port', '0', '--cors', PAGE, '--cors', 'https://other.example']);
    try {
      const url = await served.started;
      for (const origin of [PAGE, 'https://other.example']) {
        expect((await request(`${url}items`, { headers: { Origin: origin } })).headers['access-control-allow-origin']).to.equal(origin);
      }
      expect(corsHeaders((await request(`${url}items`, { headers: { Origin: 'https://third.example' } })).headers)).to.deep.equal({});
    } finally {
      served.child.kill('SIGTERM');
      await served.exited;
    }
  });
});
