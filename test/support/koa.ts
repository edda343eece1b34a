import type { AddressInfo } from 'node:net';
import { createServer, type RequestListener } from 'node:http';
import type Koa from 'koa';

export interface Listening {
  /** http://127.0.0.1:<port>, no trailing slash. */
  url: string;
  close(): Promise<void>;
}

/** Serves a bare Koa app (a middleware tested on its own) or a plain request handler on loopback, over real HTTP. */
export async function listen(app: Koa | RequestListener): Promise<Listening> {
  const server = createServer(typeof app === 'function' ? app : app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
