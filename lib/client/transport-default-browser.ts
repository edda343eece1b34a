import type { Transport, TransportOptions } from './transport.js';
import { FetchTransport } from './transport-fetch.js';

/**
 * transport-default.ts as a browser build has it (package.json `browser` swaps the two): the
 * `fetch` transport, so no `got` and no Node built-in is reachable from halsync/client.
 */
export function defaultTransport(options: TransportOptions): Transport {
  return new FetchTransport(options);
}
