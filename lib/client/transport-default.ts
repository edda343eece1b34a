import type { Transport, TransportOptions } from './transport.js';
import { NodeTransport } from './transport-node.js';

/**
 * The transport an HttpClient uses when given none: Node's own http on Node. A browser build swaps this
 * module (package.json `browser` field, or a bundler alias) for one that returns a `fetch`
 * transport, so nothing else of lib/client changes between the two. The only other Node-only
 * module of lib/client is state-file.ts (node↔node checkpoints in a file), swapped the same way.
 */
export function defaultTransport(options: TransportOptions): Transport {
  return new NodeTransport(options);
}
