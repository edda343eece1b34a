import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Checkpoints } from './checkpoints.js';
import { ClientError } from './errors.js';

/**
 * Checkpoint pairs of node↔node syncs in a JSON state file. Node only (it writes a file): a
 * browser keeps its pairs in its store, and its bundle leaves this module out.
 */

interface StateFile {
  version: 2;
  /** By node pair and collection; each entry maps a node's root URL to its cursor. */
  pairs: Record<string, Record<string, string>>;
}

/**
 * Checkpoints in a JSON file shared by every pair of nodes synced with it; written by rename,
 * so never half. Keyed by the unordered pair of roots and each cursor by its node, so
 * `sync A B` and `sync B A` share one checkpoint pair (either order is the same history).
 */
export function fileCheckpoints(path: string, localRootUrl: string, remoteRootUrl: string, collection: string): Checkpoints {
  const key = pairKey(localRootUrl, remoteRootUrl, collection);
  return {
    load: async () => {
      const cursors = (await readState(path)).pairs[key];
      const local = cursors?.[localRootUrl];
      const remote = cursors?.[remoteRootUrl];
      return local !== undefined && remote !== undefined ? { local, remote } : null;
    },
    save: async (pair) => {
      const state = await readState(path);
      state.pairs[key] = { [localRootUrl]: pair.local, [remoteRootUrl]: pair.remote };
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
      await rename(temporary, path);
    },
  };
}

/** The key of a node pair's collection in a state file: the same whichever node plays local. */
function pairKey(rootUrlA: string, rootUrlB: string, collection: string): string {
  return `${[rootUrlA, rootUrlB].sort().join(' ')} ${collection}`;
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 2, pairs: {} };
    throw error;
  }
  let state: Partial<StateFile>;
  try {
    state = JSON.parse(text) as Partial<StateFile>;
  } catch {
    throw new ClientError(`the state file ${path} is not JSON; move it away to start from a full sync`);
  }
  // Another layout (an older release's) is dropped: without checkpoints a sync is a full one, which is safe.
  const pairs = state.version === 2 && state.pairs && typeof state.pairs === 'object' ? state.pairs : {};
  return { version: 2, pairs };
}
