import type { Store } from '../store/store.js';
import { checkpointKey, storeCheckpoints } from './checkpoints.js';
import { ClientError } from './errors.js';
import type { HalDocument } from './hal.js';
import { HttpClient, type HttpClientOptions } from './http.js';
import { NodeReplica, type NodeReplicaOptions } from './node-replica.js';
import { runLive, syncPairs, type LiveOptions, type SyncPair } from './live.js';
import { measured, type SyncReport } from './report.js';
import { readRoot } from './root.js';
import { fileCheckpoints } from './state-file.js';
import { StoreReplica } from './store-replica.js';
import type { SyncOptions } from './sync.js';

/**
 * The two ways to run a sync end to end: a local store with a remote node, and two nodes.
 * Each discovers the collections from the roots, syncs them one after the other, and
 * reports the whole traffic, discovery included.
 */
export interface SyncRunOptions extends Omit<SyncOptions, 'checkpoints'>, HttpClientOptions, NodeReplicaOptions, LiveOptions {
  /** The collections to sync (default: every one both sides publish). */
  collections?: readonly string[];
  /** An HTTP client to use (and leave open) instead of a new one. */
  http?: HttpClient;
}

/**
 * Syncs a local store with a remote node; checkpoints are kept in the store, keyed by the remote
 * root URL and collection. With `live: true`, keeps them in step until `signal` aborts (see LiveOptions).
 */
export async function syncStore(store: Store, remoteRootUrl: string, options: SyncRunOptions = {}): Promise<SyncReport> {
  return withClient(options, async (http) => {
    const connect = async () => {
      const root = await readRoot(http, remoteRootUrl);
      const names = options.collections?.length ? [...options.collections] : NodeReplica.collections(root);
      const pairs: SyncPair[] = [];
      for (const name of names) {
        const remote = await NodeReplica.fromRoot(http, root, name, options);
        const key = checkpointKey(new URL(remoteRootUrl).href, name);
        pairs.push({ local: new StoreReplica(store, name), remote, checkpoints: storeCheckpoints(store, key) });
      }
      return pairs;
    };
    return options.live ? runLive(connect, options) : syncPairs(await connect(), options);
  });
}

export interface NodeSyncOptions extends SyncRunOptions {
  /** The JSON state file holding the checkpoint pairs. */
  state: string;
}

/** Syncs two remote nodes; A plays "local". Checkpoints live in the state file. `live: true` as for syncStore. */
export async function syncNodes(rootA: string, rootB: string, options: NodeSyncOptions): Promise<SyncReport> {
  return withClient(options, async (http) => {
    const [a, b] = [new URL(rootA).href, new URL(rootB).href];
    const connect = async () => {
      const [rootDocA, rootDocB] = await Promise.all([readRoot(http, a), readRoot(http, b)]);
      const names = options.collections?.length ? [...options.collections] : shared(rootDocA, rootDocB);
      const pairs: SyncPair[] = [];
      for (const name of names) {
        const [local, remote] = await Promise.all([NodeReplica.fromRoot(http, rootDocA, name, options), NodeReplica.fromRoot(http, rootDocB, name, options)]);
        pairs.push({ local, remote, checkpoints: fileCheckpoints(options.state, a, b, name) });
      }
      return pairs;
    };
    return options.live ? runLive(connect, options) : syncPairs(await connect(), options);
  });
}

function shared(a: HalDocument, b: HalDocument): string[] {
  const inB = new Set(NodeReplica.collections(b));
  const names = NodeReplica.collections(a).filter((name) => inB.has(name));
  if (names.length === 0) throw new ClientError(`${a.uri} and ${b.uri} publish no collection in common`);
  return names;
}

async function withClient(options: SyncRunOptions, run: (http: HttpClient) => Promise<SyncReport>): Promise<SyncReport> {
  const http = options.http ?? new HttpClient(options);
  try {
    // Discovery included: the report counts every request of the run.
    return await measured([http], () => run(http));
  } finally {
    if (!options.http) http.close();
  }
}
