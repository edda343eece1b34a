import { expect } from 'chai';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { expectProblem, pointers } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { until } from '../../support/until.js';

const NOW = '2030-01-01T00:00:00.000Z';
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const entry = (i: number, updatedAt: string) => ({ itemId: id(i), updatedAt, fingerprint: fingerprint({ n: i }), deleted: false, data: { n: i }, base: null });

/** Every place a node takes an `updatedAt`: the grammar of lib/protocol/time.ts, and its clock plus the skew it allows. */
describe('server: timestamps it accepts', () => {
  let node: StartedNode;
  const start = async (options: { maxClockSkewMs?: number } = {}) => {
    node = await startNode({ clock: () => new Date(NOW), ...options });
  };
  afterEach(async () => node?.close());
  const push = (entries: unknown[]) => request(`${node.url}items/transactions`, { method: 'PUT', body: { entries } });
  const logLength = async () => (await request(`${node.url}items/transactions`)).json._embedded['sync:entry'].length;

  it('refuses a leap second in a sync-log entry: 422 with its pointer, nothing applied', async () => {
    await start();
    const reply = await push([entry(1, '2029-06-01T00:00:00.000Z'), entry(2, '2025-06-01T23:59:60.000Z')]);
    expect(pointers(expectProblem(reply, 422, 'validation-failed'))).to.deep.equal(['/entries/1/updatedAt']);
    expect(await logLength()).to.equal(0);
  });

  it('refuses a leap second in a conflict record: 422 with its pointer', async () => {
    await start();
    const version = { updatedAt: '2025-06-01T23:59:60.000Z', fingerprint: fingerprint({ n: 1 }), deleted: false, data: { n: 1 } };
    const body = {
      records: [
        {
          conflictId: id(9),
          itemId: id(1),
          peer: 'http://127.0.0.1:9/',
          rule: 'prefer-remote',
          winner: 'remote',
          local: version,
          remote: version,
          result: { updatedAt: version.updatedAt, fingerprint: version.fingerprint, deleted: false },
          decidedAt: '2026-01-01T00:00:00.000Z',
        },
      ],
    };
    const reply = await request(`${node.url}items/conflicts`, { method: 'POST', body });
    expect(pointers(expectProblem(reply, 422))).to.include('/records/0/local/updatedAt');
  });

  it('refuses an entry stamped later than its clock plus the default 5 min: 422 clock-skew, pointer and node time, nothing applied', async () => {
    await start();
    const ok = new Date(Date.parse(NOW) + 5 * 60_000).toISOString();
    const reply = await push([entry(1, ok), entry(2, '9999-12-31T23:59:59.999Z')]);
    const problem = expectProblem(reply, 422, 'clock-skew');
    expect(pointers(problem)).to.deep.equal(['/entries/1/updatedAt']);
    expect(problem['detail']).to.include(NOW);
    expect(await logLength()).to.equal(0);
    expect((await push([entry(1, ok)])).status).to.equal(200);
  });

  it('takes maxClockSkewMs from createApp', async () => {
    await start({ maxClockSkewMs: 1000 });
    const reply = await push([entry(1, new Date(Date.parse(NOW) + 1001).toISOString())]);
    expect(pointers(expectProblem(reply, 422, 'clock-skew'))).to.deep.equal(['/entries/0/updatedAt']);
    expect((await push([entry(1, new Date(Date.parse(NOW) + 1000).toISOString())])).status).to.equal(200);
  });

  it('refuses a skewed entry of a sync log applied as a job: the job fails with the clock-skew problem', async () => {
    await start();
    const reply = await request(`${node.url}items/transactions`, {
      method: 'PUT',
      body: { entries: [entry(1, '9999-12-31T23:59:59.999Z')] },
      headers: { Prefer: 'respond-async' },
    });
    expect(reply.status).to.equal(202);
    const job = await until(
      async () => {
        const doc = (await request(reply.headers.location!)).json;
        return doc.state === 'failed' || doc.state === 'succeeded' ? doc : null;
      },
      { message: 'the job ended' },
    );
    expect(job.state).to.equal('failed');
    expect(job.problem.type).to.equal('clock-skew');
    expect(job.problem.errors[0].pointer).to.equal('/entries/0/updatedAt');
  });
});
