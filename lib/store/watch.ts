import { mayShow } from './scopes.js';
import type { Store } from './store.js';

export interface WaitOptions {
  /** How long to wait for a change, at most. */
  ms: number;
  /** Ends the wait early (the client went away, the server is closing, the sync was stopped). */
  signal?: AbortSignal;
  /**
   * The reader's read grant, when `read` is a scoped log read: then only a change touching a
   * channel it can see (or one whose channels the store cannot tell) wakes it to read again.
   */
  channels?: readonly string[];
}

/**
 * Reads with `read` until `ready(result)` holds or the wait ends, and returns the last read.
 * It subscribes to the store before the first read, so a change committed between a read and
 * the wait that follows is never missed; without `watch` (or with no time to wait) it reads once.
 */
export async function readWhenChanged<T>(
  store: Store,
  collection: string,
  read: () => Promise<T>,
  ready: (result: T) => boolean,
  options: WaitOptions,
): Promise<T> {
  if (!store.watch || options.ms <= 0 || options.signal?.aborted) return read();
  const deadline = Date.now() + options.ms;
  let changed = false;
  let wake: (() => void) | undefined;
  const stop = await store.watch(collection, (change) => {
    if (!mayShow(change, options.channels)) return;
    changed = true;
    wake?.();
  });
  try {
    for (;;) {
      changed = false;
      const result = await read();
      if (ready(result) || options.signal?.aborted || Date.now() >= deadline) return result;
      // A change told during the read: read again at once.
      if (!changed) await until(deadline, options.signal, (resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    stop();
  }
}

/** Resolves at the deadline, when the signal aborts, or when the function handed to `expose` is called. */
function until(deadline: number, signal: AbortSignal | undefined, expose: (resolve: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    signal?.addEventListener('abort', done, { once: true });
    expose(done);
  });
}
