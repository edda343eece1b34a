import type { Store } from '../store/store.js';
import { ClientError } from './errors.js';

/**
 * Where a sync keeps the checkpoint pair of one collection: in the local store (store↔node)
 * or in a JSON state file (node↔node). Saved only after Step 4, so a sync that died can be
 * run again from the last pair that both sides fully reached.
 */
export interface CheckpointPair {
  local: string;
  remote: string;
}

export interface Checkpoints {
  load(): Promise<CheckpointPair | null>;
  save(pair: CheckpointPair): Promise<void>;
}

/** The key of a remote collection's checkpoints in a local store: its root URL and collection name. */
export function checkpointKey(remoteRootUrl: string, collection: string): string {
  return `halsync:sync:${remoteRootUrl}#${collection}`;
}

export function storeCheckpoints(store: Store, key: string): Checkpoints {
  return {
    load: async () => parsePair(await store.getCheckpoint(key)),
    save: (pair) => store.setCheckpoint(key, JSON.stringify(pair)),
  };
}

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
      const { mkdir, rename, writeFile } = await fs();
      const { dirname } = await nodeOnly<typeof import('node:path')>('node:path');
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
    text = await (await fs()).readFile(path, 'utf8');
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

function parsePair(text: string | null): CheckpointPair | null {
  if (!text) return null;
  try {
    const pair = JSON.parse(text) as Partial<CheckpointPair>;
    return typeof pair.local === 'string' && typeof pair.remote === 'string' ? { local: pair.local, remote: pair.remote } : null;
  } catch {
    return null;
  }
}

/**
 * A state file is Node's: node:fs is imported when one is used, by a specifier a bundler does
 * not follow, so a browser bundle of the client (which keeps checkpoints in its store) holds none.
 */
function nodeOnly<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}

const fs = () => nodeOnly<typeof import('node:fs/promises')>('node:fs/promises');
