import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Store } from '../store/store.js';

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
  version: 1;
  pairs: Record<string, CheckpointPair>;
}

/** Checkpoints in a JSON file shared by every pair of nodes synced with it; written by rename, so never half. */
export function fileCheckpoints(path: string, key: string): Checkpoints {
  return {
    load: async () => (await readState(path)).pairs[key] ?? null,
    save: async (pair) => {
      const state = await readState(path);
      state.pairs[key] = pair;
      await mkdir(dirname(path), { recursive: true });
      const temporary = `${path}.${process.pid}.tmp`;
      await writeFile(temporary, `${JSON.stringify(state, null, 2)}\n`);
      await rename(temporary, path);
    },
  };
}

/** The key of a node pair's collection in a state file. */
export function pairKey(localRootUrl: string, remoteRootUrl: string, collection: string): string {
  return `${localRootUrl} ${remoteRootUrl} ${collection}`;
}

async function readState(path: string): Promise<StateFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, pairs: {} };
    throw error;
  }
  const state = JSON.parse(text) as Partial<StateFile>;
  return { version: 1, pairs: state.pairs && typeof state.pairs === 'object' ? state.pairs : {} };
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
