import { HttpClient } from '../../lib/client/http.js';
import { NodeReplica } from '../../lib/client/node-replica.js';
import { sync } from '../../lib/client/sync.js';
import type { Checkpoints, CheckpointPair } from '../../lib/client/checkpoints.js';
import type { SyncReport } from '../../lib/client/report.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { EPOCH_MS, storeSnapshot, type History, type Operation, type Snapshot } from './model.js';

export const COLLECTION = 'items';

/**
 * Real nodes (memory stores, real HTTP on loopback) that play a model history: direct writes
 * through the API with each node's clock set to the operation's time, syncs through the real
 * engine between node replicas. Checkpoints are kept per pair of nodes, whichever plays local.
 */
export class Cluster {
  private readonly checkpoints = new Map<string, Record<number, string>>();
  /** The time each node's clock shows, in model milliseconds. */
  private readonly clocks: number[];

  private constructor(
    readonly nodes: StartedNode[],
    readonly http: HttpClient,
    clocks: number[],
  ) {
    this.clocks = clocks;
  }

  /** `count` nodes, each on a store from `openStore` (default: memory); close() closes the stores. */
  static async start(count: number, openStore: () => Promise<Store> = async () => new MemoryStore()): Promise<Cluster> {
    const clocks = new Array<number>(count).fill(0);
    const nodes = await Promise.all(clocks.map(async (_, i) => startNode({ store: await openStore(), clock: () => new Date(EPOCH_MS + clocks[i]!) })));
    return new Cluster(nodes, new HttpClient({ timeoutMs: 10_000 }), clocks);
  }

  itemUrl(node: number, itemId: string): string {
    return new URL(`${COLLECTION}/${itemId}`, this.nodes[node]!.url).href;
  }

  /** A direct write through the node's API. */
  async write(op: Extract<Operation, { kind: 'put' | 'delete' }>): Promise<void> {
    this.clocks[op.node] = op.at;
    const url = this.itemUrl(op.node, op.itemId);
    const reply = op.kind === 'put' ? await request(url, { method: 'PUT', body: { data: op.data } }) : await request(url, { method: 'DELETE' });
    const fine = op.kind === 'put' ? [200, 201] : [204, 404];
    if (!fine.includes(reply.status)) throw new Error(`${op.kind} on node ${op.node}: ${reply.status} ${reply.text}`);
  }

  /** The pair's checkpoints, whichever node plays local. */
  pairCheckpoints(local: number, remote: number): Checkpoints {
    const key = `${Math.min(local, remote)}:${Math.max(local, remote)}`;
    return {
      load: async () => {
        const saved = this.checkpoints.get(key);
        return saved ? { local: saved[local]!, remote: saved[remote]! } : null;
      },
      save: async (pair: CheckpointPair) => {
        this.checkpoints.set(key, { [local]: pair.local, [remote]: pair.remote });
      },
    };
  }

  async replica(node: number, http = this.http): Promise<NodeReplica> {
    return NodeReplica.open(http, this.nodes[node]!.url, COLLECTION);
  }

  async sync(
    local: number,
    remote: number,
    policy: Pick<History, 'prefer' | 'skewMs'>,
    http = this.http,
    baseUrl?: (node: number) => string,
  ): Promise<SyncReport> {
    const open = (n: number) => (baseUrl ? NodeReplica.open(http, baseUrl(n), COLLECTION) : this.replica(n, http));
    const [l, r] = await Promise.all([open(local), open(remote)]);
    return sync(l, r, { checkpoints: this.pairCheckpoints(local, remote), prefer: policy.prefer, skewMs: policy.skewMs, backoffMs: 1 });
  }

  async run(history: History): Promise<void> {
    for (const op of history.operations) {
      if (op.kind === 'sync') await this.sync(op.local, op.remote, history);
      else await this.write(op);
    }
  }

  /** What a node's store holds, in the model's terms. */
  async snapshot(node: number): Promise<Snapshot[]> {
    return storeSnapshot(this.nodes[node]!.store, COLLECTION);
  }

  async close(): Promise<void> {
    this.http.close();
    await Promise.all(this.nodes.map(async (n) => (await n.close(), n.store.close())));
  }
}
