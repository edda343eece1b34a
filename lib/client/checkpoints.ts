import { decodeCursor, encodeCursor } from '../protocol/cursor.js';
import type { Store } from '../store/store.js';

/**
 * The client's checkpoints, in one module: the pair a sync saves per collection (in the local
 * store for store↔node, in a state file for node↔node: state-file.ts), and the cursors a local
 * store's replica reads and answers. A pair is saved only after Step 4, so a sync that died can
 * be run again from the last pair that both sides fully reached.
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

function parsePair(text: string | null): CheckpointPair | null {
  if (!text) return null;
  try {
    const pair = JSON.parse(text) as Partial<CheckpointPair>;
    return typeof pair.local === 'string' && typeof pair.remote === 'string' ? { local: pair.local, remote: pair.remote } : null;
  } catch {
    return null;
  }
}

/** The cursor a local store's replica hands out for a place in its log. */
export function storeCursor(store: Pick<Store, 'id'>, seq: number): string {
  return encodeCursor({ storeId: store.id, seq });
}

/**
 * The seq a local store's checkpoint names; 0 (the whole log) and `expired` when it belongs to
 * another store (the database was replaced), is not a cursor, or lies below the tombstone
 * horizon: a full resync, not a failure.
 */
export async function resumeStoreCursor(
  store: Pick<Store, 'id' | 'horizon'>,
  collection: string,
  checkpoint: string | null,
): Promise<{ seq: number; expired: boolean }> {
  if (checkpoint === null) return { seq: 0, expired: false };
  let cursor;
  try {
    cursor = decodeCursor(checkpoint);
  } catch {
    return { seq: 0, expired: true };
  }
  if (cursor.storeId !== store.id || cursor.seq < (await store.horizon(collection))) return { seq: 0, expired: true };
  return { seq: cursor.seq, expired: false };
}
