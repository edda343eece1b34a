import type { Checkpoints } from './checkpoints.js';
import { ClientError } from './errors.js';

/**
 * state-file.ts as a browser build has it (package.json `browser` swaps the two): a page has no
 * files, and keeps its checkpoint pairs in its store (syncStore), so node↔node syncs need Node.
 */
export function fileCheckpoints(path: string): Checkpoints {
  const refuse = () => Promise.reject(new ClientError(`a state file (${path}) needs Node: in a browser, sync a store (syncStore)`));
  return { load: refuse, save: refuse };
}
