/**
 * The pages of a log, each next one requested as soon as the previous is handed out: the node
 * renders page n + 1 while the client checks page n (NodeReplica) and the local side applies it
 * (a first sync), where strictly one after the other each process mostly waited for the
 * others. At most two pages are held by each reader ahead.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const pages = source[Symbol.asyncIterator]();
  let next = pages.next();
  try {
    for (;;) {
      const page = await next;
      if (page.done) return;
      next = pages.next();
      // Rejected while the caller applies: reported when awaited above, never as unhandled.
      next.catch(() => undefined);
      yield page.value;
    }
  } finally {
    // The caller stopped early (an error, a restart): let the source close its requests.
    await next.catch(() => undefined);
    await pages.return?.();
  }
}
