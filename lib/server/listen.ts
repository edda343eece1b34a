import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Koa from 'koa';
import { rootPath, shutdownApp } from './app.js';
import { answerClientError } from './http/client-error.js';

export interface ListenOptions {
  /** TCP port; 0 picks a free one (default 0). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** How long close() waits for accepted (202) sync logs to be applied (default 10 s). */
  jobWaitMs?: number;
}

/** A node listening on a port. */
export interface Listening {
  /** The API root's URL, e.g. `http://127.0.0.1:3000/` (an IPv6 host in brackets). */
  readonly url: string;
  readonly server: Server;
  /**
   * Stops accepting requests, answers held log GETs, stops the purge, and waits (at most
   * `jobWaitMs`) for accepted sync-log jobs. The store stays open: its owner closes it after.
   * Resolves to how many accepted jobs were still unfinished.
   */
  close(): Promise<{ unfinishedJobs: number }>;
}

export const DEFAULT_JOB_WAIT_MS = 10_000;

/**
 * Serves a createApp app over HTTP. Rejects with one readable line when the port cannot be
 * had (taken, not permitted, an unknown host).
 */
export async function listen(app: Koa, options: ListenOptions = {}): Promise<Listening> {
  const port = options.port ?? 0;
  const host = options.host ?? '127.0.0.1';
  const server = createServer(app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      reject(new Error(err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`));
    });
    server.listen(port, host, () => resolve());
  });
  server.on('clientError', answerClientError);
  const bound = (server.address() as AddressInfo).port;
  const shown = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<{ unfinishedJobs: number }> | undefined;
  return {
    url: `http://${shown}:${bound}${rootPath(app)}`,
    server,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        // Held log GETs answer now, so server.close() waits for nothing long.
        const settled = shutdownApp(app, options.jobWaitMs ?? DEFAULT_JOB_WAIT_MS);
        // Keep-alive connections would hold close() open until they time out.
        server.closeIdleConnections();
        const [, unfinishedJobs] = await Promise.all([closed, settled]);
        return { unfinishedJobs };
      })();
      return closing;
    },
  };
}
