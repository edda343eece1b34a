import { GotTransport } from '../../lib/client/transport-got.js';
import { describeNodeTransport } from '../support/node-transport.js';

/** The got transport (lib/client/transport-got.ts), an embedder's choice on Node: what every Node transport does. */
describe('client/transport-got', () => {
  describeNodeTransport('got', (concurrency) => new GotTransport({ concurrency }));
});
