import { expect } from 'chai';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { PROBLEM_BASE } from '../../../lib/protocol/problems.js';
import type { Json } from '../../../lib/protocol/types.js';
import { StoreUnavailable } from '../../../lib/store/errors.js';
import { MemoryStore } from '../../../lib/store/memory.js';
import { expectProblem, expectValid } from '../../support/expect.js';
import { request, type Reply } from '../../support/http.js';
import { startNode, takeServerErrors, type StartedNode } from '../../support/server.js';
import { until } from '../../support/until.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const entry = (i: number, data: Json, base: string | null) => ({
  itemId: id(i),
  updatedAt: '2025-01-01T00:00:00.000Z',
  fingerprint: fingerprint(data),
  deleted: false,
  data,
  base,
});

async function settle(url: string): Promise<Reply> {
  return until(
    async () => {
      const reply = await request(url);
      return reply.json.state === 'succeeded' || reply.json.state === 'failed' ? reply : null;
    },
    { message: `job ${url} finished` },
  );
}

describe('server: async sync log jobs', () => {
  let node: StartedNode;
  let logUrl: string;
  beforeEach(async () => {
    node = await startNode({ asyncThreshold: 3, collections: [{ name: 'items', schema: { type: 'object', required: ['n'] } }] });
    logUrl = `${node.url}items/transactions`;
  });
  afterEach(async () => node.close());

  it('Prefer: respond-async answers 202 with Location, Preference-Applied and the job; the job ends succeeded', async () => {
    const reply = await request(logUrl, { method: 'PUT', headers: { Prefer: 'respond-async' }, body: { entries: [entry(1, { n: 1 }, null)] } });
    expect(reply.status).to.equal(202);
    expect(reply.headers['preference-applied']).to.equal('respond-async');
    const location = reply.headers.location!;
    expect(location).to.match(/\/jobs\/[0-9a-f-]{36}$/);
    expectValid('job', reply.json);
    expect(reply.json._links['sync:job'].href).to.equal(location);
    expect(reply.json._links.self.href).to.equal(location);
    expect(reply.json._links['sync:transactions'].href).to.equal(logUrl);
    expect(reply.json.state).to.be.oneOf(['pending', 'running', 'succeeded']);
    const done = await settle(location);
    expectValid('job', done.json);
    expect(done.json.state).to.equal('succeeded');
    expect(done.json.result.applied).to.equal(1);
    expectValid('sync-result', done.json.result);
    expect((await request(`${node.url}items/${id(1)}`)).status).to.equal(200);
  });

  it('a log larger than the threshold becomes a job without being asked (no Preference-Applied)', async () => {
    const entries = [1, 2, 3, 4].map((i) => entry(i, { n: i }, null));
    const reply = await request(logUrl, { method: 'PUT', body: { entries } });
    expect(reply.status).to.equal(202);
    expect(reply.headers['preference-applied']).to.equal(undefined);
    expect((await settle(reply.headers.location!)).json.result.applied).to.equal(4);
  });

  it('a conflict ends the job failed with the 409 problem, nothing applied', async () => {
    await request(`${node.url}items/${id(1)}`, { method: 'PUT', body: { data: { n: 1 } } });
    const reply = await request(logUrl, {
      method: 'PUT',
      headers: { Prefer: 'respond-async, wait=5' },
      body: { entries: [entry(1, { n: 2 }, null), entry(2, { n: 2 }, null)] },
    });
    expect(reply.status).to.equal(202);
    const done = await settle(reply.headers.location!);
    expectValid('job', done.json);
    expect(done.json.state).to.equal('failed');
    expect(done.json.problem).to.include({ status: 409, type: 'conflict' });
    expect(done.json.problem.conflicts[0].itemId).to.equal(id(1));
    expect(await node.store.getItem('items', id(2))).to.equal(null);
  });

  it('a log that fails validation ends the job failed with the 422 problem a synchronous call gives, nothing applied', async () => {
    const bad = { entries: [entry(1, { x: 1 }, null), { ...entry(2, { n: 2 }, null), fingerprint: '0'.repeat(40) }] };
    const sync = await request(logUrl, { method: 'PUT', body: bad });
    expectProblem(sync, 422, 'validation-failed');
    const reply = await request(logUrl, { method: 'PUT', headers: { Prefer: 'respond-async' }, body: bad });
    expect(reply.status).to.equal(202);
    const done = await settle(reply.headers.location!);
    expectValid('job', done.json);
    expect(done.json.state).to.equal('failed');
    expect(done.json.problem).to.include({ status: 422, type: 'validation-failed' });
    expect(done.json.problem.errors).to.deep.equal(sync.json.errors);
    expect(await node.store.highWater()).to.equal(0);
  });

  it('what is not a sync log at all is refused at once, not as a job', async () => {
    const reply = await request(logUrl, { method: 'PUT', headers: { Prefer: 'respond-async', 'Content-Type': 'text/plain' }, body: '{}' });
    expectProblem(reply, 415, 'unsupported-media-type');
    expect(reply.headers.location).to.equal(undefined);
  });

  it('an unknown job is 404', async () => {
    expectProblem(await request(`${node.url}jobs/00000000-0000-4000-8000-000000000000`), 404, 'not-found');
  });

  it('keeps a bounded number of jobs, evicting finished ones first', async () => {
    await node.close();
    node = await startNode({ maxJobs: 2 });
    const urls: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const reply = await request(`${node.url}items/transactions`, {
        method: 'PUT',
        headers: { Prefer: 'respond-async' },
        body: { entries: [entry(i, { n: i }, null)] },
      });
      urls.push(reply.headers.location!);
      await settle(reply.headers.location!);
    }
    expect((await request(urls[0]!)).status).to.equal(404);
    expect((await request(urls[2]!)).status).to.equal(200);
  });

  it('a store that is away ends the job failed with the 503 store-unavailable a synchronous call gives, reported once, not as a 500', async () => {
    await node.close();
    const store = new MemoryStore();
    // The database went away between the 202 and the apply (a PostgreSQL pool that timed out, a restart).
    store.apply = () => Promise.reject(new StoreUnavailable('postgres://db.example/halsync', new Error('timeout exceeded when trying to connect')));
    node = await startNode({ store, asyncThreshold: 3 });
    const reply = await request(`${node.url}items/transactions`, {
      method: 'PUT',
      headers: { Prefer: 'respond-async' },
      body: { entries: [entry(1, { n: 1 }, null)] },
    });
    expect(reply.status).to.equal(202);
    const done = await settle(reply.headers.location!);
    expectValid('job', done.json);
    expect(done.json.state).to.equal('failed');
    expect(done.json.problem).to.include({ status: 503, type: `${PROBLEM_BASE}store-unavailable` });
    expect(done.json.problem.detail).to.contain('timeout exceeded when trying to connect');
    expect(takeServerErrors()).to.deep.equal(['unavailable: store postgres://db.example/halsync is unavailable: timeout exceeded when trying to connect']);
  });
});
