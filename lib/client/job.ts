import { rels } from '../protocol/rels.js';
import { backoffDelay, sleep } from '../protocol/retry.js';
import { ClientError, LinkNotFound, Problem, UnexpectedResponse } from './errors.js';
import type { HalDocument } from './hal.js';
import type { HttpClient } from './http.js';
import { toDocument } from './resource.js';

/**
 * A 202's job: polled, with backoff, until it succeeds (its `result` is the 200 body a
 * synchronous call would have given) or fails (its `problem` is the 409/422 document).
 */
export type JobOutcome = { ok: true; result: Record<string, unknown> | undefined } | { ok: false; problem: Problem };

export interface JobPolling {
  firstDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
}

const DEFAULT_POLLING: JobPolling = { firstDelayMs: 25, maxDelayMs: 1000, timeoutMs: 120_000 };

export async function awaitJob(
  http: HttpClient,
  requestUri: string,
  location: string | undefined,
  body: HalDocument | undefined,
  polling: JobPolling = DEFAULT_POLLING,
): Promise<JobOutcome> {
  const uri = jobUri(requestUri, location, body);
  const deadline = Date.now() + polling.timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const job = toDocument(await http.request('GET', uri));
    const state = job.body.state;
    if (state === 'succeeded') return { ok: true, result: objectOrUndefined(job.body.result) };
    if (state === 'failed') return { ok: false, problem: jobProblem(job) };
    if (state !== 'pending' && state !== 'running') throw new UnexpectedResponse(job.uri, `unknown job state ${JSON.stringify(state)}`);
    if (Date.now() > deadline) throw new ClientError(`${job.uri}: the job did not finish within ${polling.timeoutMs} ms`);
    // No jitter: one client polls its own job.
    await sleep(backoffDelay(attempt, { firstMs: polling.firstDelayMs, maxMs: polling.maxDelayMs, jitter: false }));
  }
}

/** The job's URI: the `Location` header, else the body's `sync:job` link. */
function jobUri(requestUri: string, location: string | undefined, body: HalDocument | undefined): string {
  if (location) return new URL(location, requestUri).href;
  try {
    if (body) return body.bare(rels.job);
  } catch (error) {
    if (!(error instanceof LinkNotFound)) throw error;
  }
  throw new UnexpectedResponse(requestUri, '202 without a Location or a sync:job link');
}

function jobProblem(job: HalDocument): Problem {
  const problem = objectOrUndefined(job.body.problem) ?? { title: 'Job failed' };
  const status = typeof problem.status === 'number' ? problem.status : 500;
  return new Problem('PUT', job.uri, status, problem);
}

function objectOrUndefined(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}
