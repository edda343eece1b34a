import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import type Koa from 'koa';
import { syncStore } from '../../lib/client/connect.js';
import type { Json } from '../../lib/protocol/types.js';
import { createApp, type AppOptions } from '../../lib/server/app.js';
import { describeRequestError, isClientError } from '../../lib/server/http/client-error.js';
import { DEFAULT_PATHS } from '../../lib/server/http/links.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { installContractCheck } from './contract.js';
import { newId, put } from './sync.js';

const serverErrors: string[] = [];

/**
 * The server's own failures (5xx, stack and all) that nodes reported since the last call, and
 * forgets them: test/support/hooks.ts fails the test during which one happened.
 */
export function takeServerErrors(): string[] {
  return serverErrors.splice(0, serverErrors.length);
}

/**
 * The app's `error` listener, in place of Koa's default one that prints every stack: as in
 * `halsync serve`, a client that went away is nothing and a client's own error (4xx) is not
 * the node's failure, so fault tests stay quiet; a server error is recorded.
 */
function recordServerError(err: unknown): void {
  const line = describeRequestError(err);
  if (line !== null && !isClientError(err)) serverErrors.push(line);
}

export interface StartedNode {
  /** The API root URL. */
  url: string;
  store: Store;
  app: Koa;
  /** How many connections the node has open: a test waits for a hung-up client's to be gone. */
  connections(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Starts a node on 127.0.0.1 on a free port (or `port`, to restart a node where it was), over a fresh MemoryStore unless given a store.
 * Every test starts its servers here, so hooks that watch all traffic have one place to go.
 */
export async function startNode(options: Partial<AppOptions> & { store?: Store; port?: number } = {}): Promise<StartedNode> {
  const { port: wanted = 0, ...appOptions } = options;
  const store = options.store ?? new MemoryStore();
  // Closing the node ends its held log GETs and its purge timer.
  const stopping = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, stopping.signal]) : stopping.signal;
  const app = createApp({ ...appOptions, store, signal });
  app.on('error', recordServerError);
  // Contract tests (test/support/contract.ts): the OpenAPI document describes the default paths.
  if (!options.paths) installContractCheck(app);
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(wanted, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const root = options.paths?.root ?? DEFAULT_PATHS.root;
  return {
    url: `http://127.0.0.1:${port}${root}`,
    store,
    app,
    connections: () => new Promise((resolve, reject) => server.getConnections((error, count) => (error ? reject(error) : resolve(count)))),
    async close() {
      stopping.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Leaves one audited conflict in `store` (a node's store): an item synced with a fresh remote
 * node, then edited on both sides within a minute, `kept` here the later and `lost` there, and
 * synced again. Returns the item's id.
 */
export async function auditedConflict(store: Store, kept: Json, lost: Json): Promise<string> {
  const remote = await startNode();
  try {
    const id = newId();
    await put(store, id, { title: 'base' }, '2026-03-01T10:00:00.000Z');
    await syncStore(store, remote.url);
    await put(store, id, kept, '2026-03-01T10:01:05.000Z');
    await put(remote.store, id, lost, '2026-03-01T10:01:00.000Z');
    await syncStore(store, remote.url);
    return id;
  } finally {
    await remote.close();
  }
}
