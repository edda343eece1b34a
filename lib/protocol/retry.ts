/**
 * Waiting and trying again: one sleep and one backoff for the whole code base (the engine's
 * restarts, a live sync's reconnects, a job's polling, a store's reconnects). Timers only, no
 * Node built-in: the client runs in a browser too.
 */

export interface Backoff {
  /** The first delay, in milliseconds. */
  firstMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Scale each delay by a random factor in [0.5, 1), so many clients that failed together do not return together (default true). */
  jitter?: boolean;
}

/** The delay before try `attempt + 1` (attempt 0: the first retry): doubling from `firstMs`, capped at `maxMs`. */
export function backoffDelay(attempt: number, backoff: Backoff): number {
  const plain = Math.min(backoff.firstMs * 2 ** attempt, backoff.maxMs);
  return backoff.jitter === false ? plain : plain * (0.5 + Math.random() / 2);
}

/** Resolves after `ms`, or at once when `signal` aborts (never rejects: the caller checks the signal). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryOptions extends Backoff {
  /** Tries after the first before giving up (default: no limit). */
  retries?: number;
  /** Whether this failure may be cured by another try; the others are thrown at once. */
  retryable: (error: unknown) => boolean;
  /** Told each failure that will be tried again, and the delay before it. */
  onRetry?: (error: unknown, delayMs: number, attempt: number) => void;
  /** Exhausted: what to throw instead of the last failure (default: the failure itself). */
  exhausted?: (error: unknown, attempts: number) => unknown;
  /** Stops waiting and trying: the last failure is thrown. */
  signal?: AbortSignal;
}

/** Runs `attempt` until it succeeds, a failure is not retryable, the retries run out, or the signal aborts. */
export async function retry<T>(attempt: (n: number) => Promise<T>, options: RetryOptions): Promise<T> {
  for (let n = 0; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (!options.retryable(error) || options.signal?.aborted) throw error;
      if (options.retries !== undefined && n >= options.retries) throw options.exhausted ? options.exhausted(error, n + 1) : error;
      const delay = backoffDelay(n, options);
      options.onRetry?.(error, delay, n);
      await sleep(delay, options.signal);
      if (options.signal?.aborted) throw error;
    }
  }
}
