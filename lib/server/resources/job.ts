import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { HalsyncError, NotFound, ServiceUnavailable } from '../../protocol/problems.js';
import { rels } from '../../protocol/rels.js';
import type { JobState } from '../../protocol/types.js';
import { linker, sendHal, type ServerNode } from '../node.js';
import { principalOf } from '../principal.js';
import { halDocument, type HalBody } from '../http/hal.js';
import { isOwnFailure, problemFor } from '../http/problem.js';
import type { Linker } from '../http/links.js';

export interface Job {
  id: string;
  collection: string;
  /** The principal that created it (DESIGN §7): to any other the job is unknown. */
  owner: string;
  state: JobState;
  result?: HalBody;
  problem?: Record<string, unknown>;
}

export const DEFAULT_MAX_JOBS = 1000;
/** Jobs pending or running at once; each holds a whole sync log in memory until applied. */
export const DEFAULT_MAX_ACTIVE_JOBS = 16;

/**
 * Sync logs applied after their 202, kept in process memory. The count is bounded: when
 * full, the oldest finished jobs go first; a client polls its job soon after the 202.
 */
export class Jobs {
  private readonly jobs = new Map<string, Job>();
  /** One promise per pending or running job, gone once it has settled: what a shutdown waits for. */
  private readonly active = new Set<Promise<void>>();

  constructor(
    private readonly max = DEFAULT_MAX_JOBS,
    private readonly maxActive = DEFAULT_MAX_ACTIVE_JOBS,
  ) {}

  /** Refuses (503 `too-many-jobs`, nothing written) while `maxActive` jobs are pending or running. */
  checkCapacity(): void {
    let active = 0;
    for (const job of this.jobs.values()) if (job.state === 'pending' || job.state === 'running') active++;
    if (active >= this.maxActive)
      throw new ServiceUnavailable('too-many-jobs', `${active} sync logs are already waiting to be applied; nothing was written, try again later`, 1);
  }

  /** `work` answers the 200 body or the problem a synchronous call would have given. */
  start(collection: string, owner: string, instance: string, work: () => Promise<HalBody | HalsyncError>, onCrash: (err: unknown) => void): Job {
    this.evict();
    const job: Job = { id: randomUUID(), collection, owner, state: 'pending' };
    this.jobs.set(job.id, job);
    const done = new Promise<void>((resolve) => {
      setImmediate(() => {
        job.state = 'running';
        work()
          .catch((err: unknown) => {
            // The problem the request would have answered: a store that is away is a 503, not a 500.
            const problem = problemFor(err);
            if (isOwnFailure(problem, err)) onCrash(err);
            return problem;
          })
          .then((outcome) => {
            if (outcome instanceof HalsyncError) {
              job.state = 'failed';
              job.problem = { ...outcome.toProblem(), instance };
            } else {
              job.state = 'succeeded';
              job.result = outcome;
            }
          })
          .finally(resolve);
      });
    });
    this.active.add(done);
    void done.then(() => this.active.delete(done));
    return job;
  }

  /**
   * Resolves once no job is pending or running (jobs started meanwhile included), or after
   * `timeoutMs`; answers how many were still active then (0: all settled). A shutdown waits
   * here so a 202 already given is honoured before the store closes.
   */
  async settled(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => (timer = setTimeout(() => resolve('expired'), timeoutMs)));
    try {
      while (this.active.size > 0) {
        if ((await Promise.race([Promise.all(this.active), expired])) === 'expired') break;
      }
    } finally {
      clearTimeout(timer);
    }
    return this.active.size;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  private evict(): void {
    for (const [id, job] of this.jobs) {
      if (this.jobs.size < this.max) return;
      if (job.state === 'succeeded' || job.state === 'failed') this.jobs.delete(id);
    }
  }
}

/** The job resource; the 202 answer also links it as `sync:job`. */
export function jobDocument(links: Linker, job: Job, accepted = false): HalBody {
  const self = links.job(job.id);
  const properties: Record<string, unknown> = { state: job.state };
  if (job.result) properties['result'] = job.result;
  if (job.problem) properties['problem'] = job.problem;
  return halDocument({
    properties,
    links: {
      self: { href: self },
      [rels.transactions]: { href: links.transactions(job.collection) },
      [rels.job]: accepted ? { href: self } : undefined,
    },
  });
}

export function jobRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const found = node.jobs.get(params['jobId']!);
      const job = found && found.owner === principalOf(ctx).id ? found : undefined;
      if (!job) throw new NotFound(`there is no job ${params['jobId']} (finished jobs are kept for a while only)`);
      if (job.state === 'pending' || job.state === 'running') ctx.set('Retry-After', '1');
      sendHal(ctx, jobDocument(linker(ctx, node), job));
    },
  };
}
