import fc from 'fast-check';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Store } from '../../lib/store/store.js';

/**
 * A plain reference model of DESIGN §3, written from the design alone (it does not import the
 * client), to predict where any history of writes and syncs must end.
 *
 * A node is a map itemId → version. Instead of logs and checkpoints, each version remembers
 * the peers it is news to (`changedSince`): a node's write marks it changed for every peer;
 * a pair's sync settles the item for that pair only. That is what "each side's log lists
 * after the pair's checkpoint" means, per pair, without sequence numbers.
 *
 * Per item, a sync of `local` with `remote`:
 * - equal versions (fingerprint and deleted) → nothing (each side keeps its updatedAt);
 * - only one side changed it since the pair's last sync → copy it, whatever the timestamps;
 * - both changed → updatedAt compare in skew buckets `floor(ms / skewMs)`: the later bucket
 *   wins; in one bucket `prefer` decides: 'fingerprint' (the default) the greater fingerprint,
 *   a tombstone over a live version when equal; 'local' / 'remote' the side playing it;
 * - tombstones take part like any other version.
 * A copied version keeps its updatedAt and is news to every peer of the receiver but the
 * sender. Direct writes stamp updatedAt from the writer's clock, never lower than the item's
 * previous updatedAt; a write of the version already there, or a delete of what is absent
 * or already deleted, changes nothing.
 */

export interface ModelVersion {
  /** Milliseconds on the model's clock; `isoAt` turns it into the wire form. */
  updatedAt: number;
  fingerprint: string;
  deleted: boolean;
  data: Json;
  /** The peers (node indexes) this version is news to. */
  changedSince: Set<number>;
}

export type ModelNode = Map<string, ModelVersion>;

export type ModelPrefer = 'fingerprint' | 'local' | 'remote';

export interface SyncOptions {
  prefer: ModelPrefer;
  skewMs: number;
}

/** One step of a history. `node`, `local`, `remote` are node indexes. */
export type Operation =
  | { kind: 'put'; node: number; itemId: string; data: Json; at: number }
  | { kind: 'delete'; node: number; itemId: string; at: number }
  | { kind: 'sync'; local: number; remote: number };

export interface History {
  nodes: number;
  prefer: ModelPrefer;
  skewMs: number;
  operations: Operation[];
}

/** What one node holds of an item, as tests compare it. */
export interface Snapshot {
  itemId: string;
  updatedAt: number;
  fingerprint: string;
  deleted: boolean;
  data: Json;
}

/** The model's epoch: clock value 0. */
export const EPOCH_MS = Date.parse('2026-01-01T00:00:00.000Z');

/** What a real store holds, in the model's terms: every item's version and data, by itemId. */
export async function storeSnapshot(store: Store, collection: string): Promise<Snapshot[]> {
  const page = await store.changes(collection, { limit: 100_000, withData: true });
  return page.entries
    .map((e) => ({
      itemId: e.itemId,
      updatedAt: Date.parse(e.updatedAt) - EPOCH_MS,
      fingerprint: e.fingerprint,
      deleted: e.deleted,
      data: e.deleted ? null : e.data!,
    }))
    .sort((a, b) => (a.itemId < b.itemId ? -1 : a.itemId > b.itemId ? 1 : 0));
}

export function isoAt(ms: number): string {
  return new Date(EPOCH_MS + ms).toISOString();
}

export function sameVersion(a: ModelVersion | undefined, b: ModelVersion | undefined): boolean {
  return !!a && !!b && a.fingerprint === b.fingerprint && a.deleted === b.deleted;
}

export class Model {
  readonly nodes: ModelNode[];

  constructor(nodeCount: number) {
    this.nodes = Array.from({ length: nodeCount }, () => new Map());
  }

  private peersOf(node: number, except?: number): Set<number> {
    return new Set(this.nodes.map((_, i) => i).filter((i) => i !== node && i !== except));
  }

  /** A direct write on `node` (its origin): data, or a tombstone when `data` is undefined. */
  write(node: number, itemId: string, data: Json | undefined, at: number): void {
    const current = this.nodes[node]!.get(itemId);
    const deleted = data === undefined;
    const next = { fingerprint: fingerprint(deleted ? null : data), deleted, data: deleted ? null : data };
    if (current && current.fingerprint === next.fingerprint && current.deleted === next.deleted) return;
    if (!current && deleted) return;
    const updatedAt = current ? Math.max(at, current.updatedAt) : at;
    this.nodes[node]!.set(itemId, { ...next, updatedAt, changedSince: this.peersOf(node) });
  }

  sync(local: number, remote: number, options: SyncOptions): void {
    const [l, r] = [this.nodes[local]!, this.nodes[remote]!];
    const itemIds = new Set([...l.keys(), ...r.keys()]);
    for (const itemId of itemIds) {
      const lv = l.get(itemId);
      const rv = r.get(itemId);
      const lChanged = !!lv?.changedSince.has(remote);
      const rChanged = !!rv?.changedSince.has(local);
      if (sameVersion(lv, rv)) {
        lv!.changedSince.delete(remote);
        rv!.changedSince.delete(local);
        continue;
      }
      let from: 'local' | 'remote' | null = null;
      if (lChanged && !rChanged) from = 'local';
      else if (rChanged && !lChanged) from = 'remote';
      else if (lChanged && rChanged) {
        const [lb, rb] = [Math.floor((EPOCH_MS + lv!.updatedAt) / options.skewMs), Math.floor((EPOCH_MS + rv!.updatedAt) / options.skewMs)];
        if (lb !== rb) from = lb > rb ? 'local' : 'remote';
        else if (options.prefer !== 'fingerprint') from = options.prefer;
        else if (lv!.fingerprint !== rv!.fingerprint) from = lv!.fingerprint > rv!.fingerprint ? 'local' : 'remote';
        else from = lv!.deleted ? 'local' : 'remote';
      }
      if (from === null) continue; // Neither side changed it since they last agreed.
      const [source, sink, sourceIndex, sinkIndex] = from === 'local' ? [lv!, r, local, remote] : [rv!, l, remote, local];
      source.changedSince.delete(sinkIndex);
      sink.set(itemId, {
        updatedAt: source.updatedAt,
        fingerprint: source.fingerprint,
        deleted: source.deleted,
        data: structuredClone(source.data),
        changedSince: this.peersOf(sinkIndex, sourceIndex),
      });
    }
  }

  apply(operation: Operation, options: SyncOptions): void {
    switch (operation.kind) {
      case 'put':
        return this.write(operation.node, operation.itemId, operation.data, operation.at);
      case 'delete':
        return this.write(operation.node, operation.itemId, undefined, operation.at);
      case 'sync':
        return this.sync(operation.local, operation.remote, options);
    }
  }

  /** A node's items, sorted by itemId. */
  snapshot(node: number): Snapshot[] {
    return [...this.nodes[node]!.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([itemId, v]) => ({ itemId, updatedAt: v.updatedAt, fingerprint: v.fingerprint, deleted: v.deleted, data: v.data }));
  }

  /** True when every node holds the same versions (updatedAt aside: equal content keeps each side's). */
  converged(): boolean {
    const contents = this.nodes.map((_, i) => JSON.stringify(this.snapshot(i).map(({ updatedAt: _u, ...rest }) => rest)));
    return contents.every((c) => c === contents[0]);
  }
}

/** Runs a whole history (its spanning path included, if it has one) on a fresh model. */
export function runModel(history: History): Model {
  const model = new Model(history.nodes);
  for (const operation of history.operations) model.apply(operation, history);
  return model;
}

/**
 * Syncs along a path through every node, there and back: 0↔1, 1↔2, …, (n-2)↔(n-1), then
 * (n-3)↔(n-2), …, 0↔1. The way out leaves the last pair holding every item's final version;
 * the way back copies it to the others (only the nearer side has news for each pair then).
 */
export function spanningPath(nodes: number): Operation[] {
  const out: Operation[] = [];
  for (let i = 0; i + 1 < nodes; i++) out.push({ kind: 'sync', local: i, remote: i + 1 });
  for (let i = nodes - 3; i >= 0; i--) out.push({ kind: 'sync', local: i, remote: i + 1 });
  return out;
}

/** The items histories write: few, so nodes collide on them often. */
export const ITEM_IDS = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'] as const;

/** The skew window histories use, and clock values around it. */
export const SKEW_MS = 1000;
/**
 * Clock values of writes. Their differences are 0 (ties), 400 or 800 (inside the window) or
 * 1200 and more (outside): never exactly `SKEW_MS`, where "within" would be a matter of taste.
 */
export const CLOCK_MS = [0, 400, 800, 1600, 3200] as const;

export interface HistoryShape {
  minNodes?: number;
  maxNodes?: number;
  maxOperations?: number;
}

/**
 * Random histories: 3 to 5 nodes, writes (create, update, delete) with explicit clock values
 * that tie, differ inside the skew window and outside it, syncs between random pairs in either
 * role, and the spanning path at the end so that every node must converge.
 */
export function historyArbitrary(shape: HistoryShape = {}): fc.Arbitrary<History> {
  const { minNodes = 3, maxNodes = 5, maxOperations = 24 } = shape;
  return fc.integer({ min: minNodes, max: maxNodes }).chain((nodes) => {
    const node = fc.integer({ min: 0, max: nodes - 1 });
    const itemId = fc.constantFrom(...ITEM_IDS);
    const at = fc.constantFrom(...CLOCK_MS);
    const put = fc.record({
      kind: fc.constant('put' as const),
      node,
      itemId,
      data: fc.integer({ min: 0, max: 3 }).map((v): Json => ({ v })),
      at,
    });
    const del = fc.record({ kind: fc.constant('delete' as const), node, itemId, at });
    const sync = fc
      .tuple(node, fc.integer({ min: 1, max: nodes - 1 }))
      .map(([local, offset]): Operation => ({ kind: 'sync', local, remote: (local + offset) % nodes }));
    const operation: fc.Arbitrary<Operation> = fc.oneof({ arbitrary: put, weight: 4 }, { arbitrary: del, weight: 2 }, { arbitrary: sync, weight: 3 });
    return fc.record({
      nodes: fc.constant(nodes),
      prefer: fc.constantFrom('fingerprint' as const, 'local' as const, 'remote' as const),
      skewMs: fc.constant(SKEW_MS),
      operations: fc.array(operation, { maxLength: maxOperations }).map((ops) => [...ops, ...spanningPath(nodes)]),
    });
  });
}

/** A history as short readable lines, for a failure message. */
export function describeHistory(history: History): string {
  const lines = history.operations.map((op) => {
    switch (op.kind) {
      case 'put':
        return `put    n${op.node} ${op.itemId.slice(-1)} ${JSON.stringify(op.data)} @${op.at}`;
      case 'delete':
        return `delete n${op.node} ${op.itemId.slice(-1)} @${op.at}`;
      case 'sync':
        return `sync   n${op.local} <-> n${op.remote}`;
    }
  });
  return [`${history.nodes} nodes, prefer ${history.prefer}, skewMs ${history.skewMs}`, ...lines].join('\n');
}

export type TopologyKind = 'chain' | 'ring' | 'mesh';

export interface Topology {
  kind: TopologyKind;
  /** The pairs that ever sync, as [a, b] with a < b. */
  edges: Array<[number, number]>;
}

/** A history whose syncs run only over a topology's edges, in random orientation and order. */
export interface TopologyHistory extends History {
  topology: Topology;
  /** Where the writes end and the quiescing rounds (every edge once per round) begin. */
  roundsFrom: number;
}

/** Every edge once per round, each round in its own random order and orientation: enough rounds for any topology of `nodes`. */
export function roundsOf(nodes: number): number {
  return 3 * nodes;
}

/**
 * Random topologies (a chain, a ring, or a mesh: a chain plus random chords) of 3 to 6 nodes,
 * random writes interleaved with syncs over random edges in random orientations, then rounds in
 * which every edge syncs once, in a random order and orientation each round. Under an
 * orientation-free winner rule every such history must end converged.
 */
export function topologyHistoryArbitrary(prefer: ModelPrefer = 'fingerprint', maxOperations = 20): fc.Arbitrary<TopologyHistory> {
  return fc.integer({ min: 3, max: 6 }).chain((nodes) => {
    const chain: Array<[number, number]> = Array.from({ length: nodes - 1 }, (_, i) => [i, i + 1]);
    const chords: Array<[number, number]> = [];
    for (let a = 0; a < nodes; a++) for (let b = a + 2; b < nodes; b++) chords.push([a, b]);
    const topology = fc.oneof(
      fc.constant<Topology>({ kind: 'chain', edges: chain }),
      fc.constant<Topology>({ kind: 'ring', edges: [...chain, [0, nodes - 1]] }),
      fc.subarray(chords, { minLength: 1 }).map((extra): Topology => ({ kind: 'mesh', edges: [...chain, ...extra] })),
    );
    return topology.chain((top) => {
      const node = fc.integer({ min: 0, max: nodes - 1 });
      const itemId = fc.constantFrom(...ITEM_IDS);
      const at = fc.constantFrom(...CLOCK_MS);
      const put = fc.record({ kind: fc.constant('put' as const), node, itemId, data: fc.integer({ min: 0, max: 3 }).map((v): Json => ({ v })), at });
      const del = fc.record({ kind: fc.constant('delete' as const), node, itemId, at });
      const oriented = (edge: [number, number], flip: boolean): Operation => ({
        kind: 'sync',
        local: flip ? edge[1] : edge[0],
        remote: flip ? edge[0] : edge[1],
      });
      const sync = fc.tuple(fc.constantFrom(...top.edges), fc.boolean()).map(([edge, flip]) => oriented(edge, flip));
      const operation: fc.Arbitrary<Operation> = fc.oneof({ arbitrary: put, weight: 4 }, { arbitrary: del, weight: 2 }, { arbitrary: sync, weight: 3 });
      const round = fc
        .tuple(
          fc.shuffledSubarray(top.edges, { minLength: top.edges.length }),
          fc.array(fc.boolean(), { minLength: top.edges.length, maxLength: top.edges.length }),
        )
        .map(([edges, flips]) => edges.map((edge, i) => oriented(edge, flips[i]!)));
      return fc
        .tuple(fc.array(operation, { maxLength: maxOperations }), fc.array(round, { minLength: roundsOf(nodes), maxLength: roundsOf(nodes) }))
        .map(([ops, rounds]) => ({
          nodes,
          prefer,
          skewMs: SKEW_MS,
          topology: top,
          roundsFrom: ops.length,
          operations: [...ops, ...rounds.flat()],
        }));
    });
  });
}
