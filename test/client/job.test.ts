import { expect } from 'chai';
import { HalDocument } from '../../lib/client/hal.js';
import { HttpClient } from '../../lib/client/http.js';
import { awaitJob } from '../../lib/client/job.js';
import { ClientError, UnexpectedResponse } from '../../lib/client/errors.js';
import { ScriptedTransport } from '../support/transport.js';

/** A 202's job (lib/client/job.ts): found by Location or the sync:job link, polled until it ends. */
const base = 'http://node.test';
const polling = { firstDelayMs: 1, maxDelayMs: 2, timeoutMs: 2000 };

describe('client/job', () => {
  it('polls a job found by its sync:job link until it succeeds, and returns its result', async () => {
    const states = ['pending', 'running', 'succeeded'];
    const transport = new ScriptedTransport(() => {
      const state = states.shift()!;
      return { json: { state, ...(state === 'succeeded' ? { result: { applied: 1, checkpoint: 'c' } } : {}) } };
    });
    const http = new HttpClient({ transport, trust: [base] });
    const body = new HalDocument(`${base}/items/transactions`, { _links: { 'sync:job': { href: '/jobs/1' } } });
    const outcome = await awaitJob(http, `${base}/items/transactions`, undefined, body, polling);
    expect(outcome).to.deep.equal({ ok: true, result: { applied: 1, checkpoint: 'c' } });
    expect(transport.sent.map((r) => r.url)).to.deep.equal([1, 2, 3].map(() => `${base}/jobs/1`));
  });

  it("prefers Location, and returns a failed job's problem", async () => {
    const transport = new ScriptedTransport(() => ({
      json: { state: 'failed', problem: { type: 'conflict', title: 'Conflict', status: 409, conflicts: [] } },
    }));
    const http = new HttpClient({ transport, trust: [base] });
    const outcome = await awaitJob(http, `${base}/items/transactions`, '/jobs/7', undefined, polling);
    expect(outcome.ok).to.equal(false);
    if (!outcome.ok) expect([outcome.problem.status, outcome.problem.is('conflict')]).to.deep.equal([409, true]);
    expect(transport.sent[0]!.url).to.equal(`${base}/jobs/7`);
  });

  it('refuses a 202 without a way to the job, and a job in an unknown state', async () => {
    const http = new HttpClient({ transport: new ScriptedTransport(() => ({ json: { state: 'sleeping' } })), trust: [base] });
    const none = await awaitJob(http, `${base}/log`, undefined, new HalDocument(`${base}/log`, {}), polling).catch((e: unknown) => e);
    expect(none).to.be.instanceOf(UnexpectedResponse);
    const odd = await awaitJob(http, `${base}/log`, '/jobs/1', undefined, polling).catch((e: unknown) => e);
    expect((odd as Error).message).to.match(/unknown job state "sleeping"/);
  });

  it('gives up on a job that never ends, after its timeout', async () => {
    const http = new HttpClient({ transport: new ScriptedTransport(() => ({ json: { state: 'running' } })), trust: [base] });
    const error = await awaitJob(http, `${base}/log`, '/jobs/1', undefined, { firstDelayMs: 1, maxDelayMs: 5, timeoutMs: 30 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ClientError);
    expect((error as Error).message).to.match(/did not finish within 30 ms/);
  });
});
