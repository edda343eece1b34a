import type { Transport, TransportOptions } from './transport.js';
import { GotTransport } from './transport-got.js';

/**
 * The transport an HttpClient uses when given none: `got` on Node (DESIGN §8). A browser build swaps this
 * module (package.json `browser` field, or a bundler alias) for one that returns a `fetch`
 * transport, so nothing else of lib/client changes between the two. The only other Node-only
 * module of lib/client is state-file.ts (node↔node checkpoints in a file), swapped the same way.
 */
export function defaultTransport(options: TransportOptions): Transport {
  return new GotTransport(options);
}
