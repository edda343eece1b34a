export interface UntilOptions {
  /** Give up after this many ms (default 5000): well under mocha's 30 s, so the failure names the wait. */
  timeout?: number;
  /** Check again after this many ms (default 10). */
  interval?: number;
  /** What is awaited, for the failure: "timed out after 5000 ms waiting until <message>". */
  message?: string;
}

/**
 * Polls `condition` until it returns a truthy value (which is returned) or the deadline passes.
 * Tests wait on an event through this instead of sleeping a fixed time and hoping it happened.
 */
export async function until<T>(condition: () => T | Promise<T>, options: UntilOptions = {}): Promise<NonNullable<T>> {
  const { timeout = 5000, interval = 10, message = 'the condition held' } = options;
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeout} ms waiting until ${message}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}
