import { expect } from 'chai';
import fc from 'fast-check';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Store } from '../../lib/store/store.js';
import { sendRaw } from '../support/raw-request.js';
import { startNode, type StartedNode } from '../support/server.js';
import { badCredentials, defaultEndpoints, hostileRequestArbitrary, hostileRequests, type Endpoints, type HostileRequest } from './hostile.js';
import { testSeed } from '../support/random.js';

/**
 * Every hostile request against a live node: never a 5xx, never a hang, problem+json for each
 * 4xx, the status the design names where it names one, and the store exactly as it was.
 */

const TIMEOUT_MS = 15_000;
const COLLECTION = 'items';
const EXISTING = '11111111-1111-4111-8111-111111111111';
const TOMBSTONE = '22222222-2222-4222-8222-222222222222';
const RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200);

async function seed(store: Store): Promise<void> {
  const put = (itemId: string, data: Json, deleted = false) => ({
    itemId,
    deleted,
    data: deleted ? null : data,
    fingerprint: fingerprint(deleted ? null : data),
    updatedAt: '2026-01-01T00:00:00.000Z',
    precondition: { kind: 'none' as const },
  });
  const outcome = await store.apply(COLLECTION, [put(EXISTING, { name: 'kept' }), put(TOMBSTONE, null, true)]);
  expect(outcome.ok).to.be.ok;
}

/** Every item of every collection the node knows (and of one it does not), and the high water. */
async function digest(store: Store): Promise<string> {
  const parts: unknown[] = [await store.highWater()];
  for (const collection of [COLLECTION, 'no-such-collection']) {
    parts.push(await store.changes(collection, { limit: 1_000_000, withData: true }));
  }
  return JSON.stringify(parts);
}

/** What is wrong with the answer to one hostile request (empty when nothing). */
async function judge(origin: string, req: HostileRequest): Promise<string[]> {
  const outcome = await sendRaw(origin, req, TIMEOUT_MS);
  const label = `${req.name} [${req.method} ${req.path.length > 100 ? `${req.path.slice(0, 100)}…` : req.path}]`;
  if (outcome.error !== undefined) return [`${label}: no answer (${outcome.error})`];
  const { status, headers, body } = outcome.reply;
  const text = body.toString('utf8');
  const wrong: string[] = [];
  if (status >= 500) wrong.push(`${label}: ${status} ${text.slice(0, 300)}`);
  if (status >= 400 && !req.refusedByNode) {
    const type = headers['content-type'] ?? '';
    if (!/^application\/problem\+json/.test(type)) wrong.push(`${label}: ${status} as "${type}", not problem+json`);
    else if (req.method !== 'HEAD') {
      try {
        const problem = JSON.parse(text) as Record<string, unknown>;
        if (problem['status'] !== status || typeof problem['type'] !== 'string' || typeof problem['title'] !== 'string') {
          wrong.push(`${label}: problem document without matching status/type/title: ${text.slice(0, 200)}`);
        }
      } catch {
        wrong.push(`${label}: problem+json that is not JSON: ${text.slice(0, 200)}`);
      }
    }
  }
  if (req.expect && !req.expect.includes(status)) wrong.push(`${label}: ${status}, the design says ${req.expect.join(' or ')}: ${text.slice(0, 200)}`);
  for (const secret of req.mustNotContain ?? []) {
    if (text.includes(secret) || JSON.stringify(headers).includes(secret)) wrong.push(`${label}: the answer contains ${secret}`);
  }
  return wrong;
}

describe('reliability: hostile requests against a live node', function () {
  this.timeout(300_000);
  let node: StartedNode;
  let origin: string;
  let endpoints: Endpoints;
  let untouched: string;

  before(async () => {
    node = await startNode();
    await seed(node.store);
    origin = new URL(node.url).origin;
    endpoints = defaultEndpoints(EXISTING, COLLECTION);
    untouched = await digest(node.store);
  });
  after(async () => node?.close());

  it('the endpoints the generators assume are where the node publishes them', async () => {
    const root = await sendRaw(origin, { method: 'GET', path: endpoints.root }, TIMEOUT_MS);
    const links = JSON.parse(root.reply!.body.toString('utf8'))._links as Record<string, any>;
    const collection = [links['sync:collection']].flat().find((l: { name: string }) => l.name === COLLECTION);
    expect(new URL(collection.href).pathname).to.equal(endpoints.collection);
    const doc = JSON.parse((await sendRaw(origin, { method: 'GET', path: endpoints.collection }, TIMEOUT_MS)).reply!.body.toString('utf8'));
    expect(new URL(doc._links['sync:transactions'].href.replace(/\{.*\}$/, '')).pathname).to.equal(endpoints.transactions);
    expect(new URL(doc._links['sync:item'].href.replace('{itemId}', EXISTING)).pathname).to.equal(endpoints.item(EXISTING));
  });

  it('the fixed hostile requests: no 5xx, no hang, problem+json, the designed status, nothing written', async () => {
    const wrong: string[] = [];
    const requests = hostileRequests(endpoints);
    for (const req of requests) wrong.push(...(await judge(origin, req)));
    expect(await digest(node.store), 'the store changed').to.equal(untouched);
    expect(wrong, `${wrong.length} of ${requests.length} hostile requests answered wrongly`).to.deep.equal([]);
  });

  it(`generated hostile requests (${RUNS} runs): the same`, async () => {
    const seed = testSeed(`hostile requests, ${RUNS} runs (HALSYNC_PROPERTY_RUNS)`);
    await fc.assert(
      fc.asyncProperty(hostileRequestArbitrary(endpoints), async (req) => {
        const wrong = await judge(origin, req);
        expect(wrong).to.deep.equal([]);
        expect(await digest(node.store), `the store changed after ${req.name}`).to.equal(untouched);
      }),
      { seed, numRuns: RUNS },
    );
  });

  it('a node with a token answers 401 problem+json to missing or wrong credentials, and writes nothing', async () => {
    const token = 's3cret-token-for-tests';
    const guarded = await startNode({ token });
    try {
      await seed(guarded.store);
      const was = await digest(guarded.store);
      const wrong: string[] = [];
      const guardedOrigin = new URL(guarded.url).origin;
      const requests = badCredentials(defaultEndpoints(EXISTING, COLLECTION), token);
      for (const req of requests) wrong.push(...(await judge(guardedOrigin, req)));
      expect(await digest(guarded.store), 'the store changed').to.equal(was);
      expect(wrong, `${wrong.length} of ${requests.length} requests answered wrongly`).to.deep.equal([]);
      const ok = await sendRaw(guardedOrigin, { method: 'GET', path: `/${COLLECTION}`, headers: { authorization: `Bearer ${token}` } }, TIMEOUT_MS);
      expect(ok.reply?.status, 'the right token is let in').to.equal(200);
    } finally {
      await guarded.close();
    }
  });
});
