import type { Context, Next } from 'koa';
import { ServiceUnavailable } from '../../protocol/problems.js';
import { closeAfterAnswer } from './framing.js';

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * A request's time limit. It can only strike before the request starts writing: once a
 * write (a store apply, or a job holding one) has begun, the request runs to its end and
 * answers what the write did. So a 503 always means nothing was written, and a write never
 * commits behind a 503 — the apply itself is bounded by the store, not by this clock.
 */
class Deadline {
  private state: 'open' | 'writing' | 'expired' = 'open';

  /** The clock ran out: true when the request may still be refused (no write has begun). */
  expire(): boolean {
    if (this.state !== 'open') return false;
    this.state = 'expired';
    return true;
  }

  beginWrite(): void {
    // The 503 is already on its way; this ends the abandoned handler before it touches the store.
    if (this.state === 'expired') throw timedOut();
    this.state = 'writing';
  }
}

const deadlines = new WeakMap<Context, Deadline>();

/** Answers 503 `request-timeout` when the request has not begun writing after `ms`. */
export function requestTimeout(ms: number) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const deadline = new Deadline();
    deadlines.set(ctx, deadline);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<true>((resolve) => {
      timer = setTimeout(() => deadline.expire() && resolve(true), ms);
    });
    const work = next().then(() => false as const);
    // After a 503 the abandoned handler may still fail (its body read aborted): nobody waits for it.
    work.catch(() => undefined);
    try {
      if (await Promise.race([work, expired])) {
        // The body may be half read: the connection cannot carry another request.
        closeAfterAnswer(ctx);
        throw timedOut(ms);
      }
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Called right before a request writes: past its deadline it throws, and from then on it cannot time out. */
export function beginWrite(ctx: Context): void {
  deadlines.get(ctx)?.beginWrite();
}

/**
 * Called right before a log GET holds itself for `Prefer: wait`: the hold is bounded on its
 * own (MAX_WAIT_SECONDS, the client going away, the node closing) and ends in the page the
 * client asked for. Without this a wait as long as the time limit (a live client's default
 * 30 s against the node's default 30 s) answered 503 instead of the empty page.
 */
export function beginHold(ctx: Context): void {
  deadlines.get(ctx)?.beginWrite();
}

function timedOut(ms?: number): ServiceUnavailable {
  const limit = ms === undefined ? '' : ` (${ms} ms)`;
  return new ServiceUnavailable('request-timeout', `the request did not complete within the server's time limit${limit}; nothing was written`, 1);
}
