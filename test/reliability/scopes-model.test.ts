import { expect } from 'chai';
import fc from 'fast-check';
import { syncStore } from '../../lib/client/connect.js';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { request } from '../support/http.js';
import { bearer, TestPrincipals } from '../support/principals.js';
import { startNode, type StartedNode } from '../support/server.js';

/**
 * The invariant of DESIGN §7, as a property: after any history of writes by several principals
 * (through their own local stores, synced), the administrator's channel moves and deletions
 * on the node, and grant changes, each principal's local store holds, after each of its syncs,
 * exactly the items its read grant shows on the node, at their latest versions (tombstones
 * included, since they keep their channels), and nothing else.
 *
 * The reference model is the node itself under the unscoped view: what a principal may see is
 * computed from every item's present channels and the principal's grant, independently of the
 * scoped log, the cursors and the client that the property exercises.
 *
 * A principal writes only items its local store holds live (or new ones), within its grant,
 * synced just before and at once after: an unsynced local edit of an item that then leaves its
 * view, or moves into a channel it cannot write, is a write it may no longer make (403), which
 * the invariant does not cover.
 */
const SEED = Number(process.env['HALSYNC_SEED'] ?? Date.now() % 2 ** 31);
const RUNS = Number(process.env['HALSYNC_PROPERTY_RUNS'] ?? 200);
const CHANNELS = ['c0', 'c1', 'c2', 'c3'];
const PRINCIPALS = ['p0', 'p1', 'p2'];
const SHARED = 6;
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

type Op =
  | { t: 'admin-put'; k: number; channels: string[]; v: number }
  | { t: 'admin-delete'; k: number }
  | { t: 'edit'; p: number; pick: number; channels: string[]; v: number; create: boolean; remove: boolean }
  | { t: 'grant'; p: number; channels: string[] }
  | { t: 'sync'; p: number };

const channelSet = fc.subarray(CHANNELS);
const principal = fc.nat({ max: PRINCIPALS.length - 1 });
const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ t: fc.constant('admin-put' as const), k: fc.nat({ max: SHARED - 1 }), channels: channelSet, v: fc.nat({ max: 3 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('admin-delete' as const), k: fc.nat({ max: SHARED - 1 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant('edit' as const),
      p: principal,
      pick: fc.nat({ max: 20 }),
      channels: channelSet,
      v: fc.nat({ max: 3 }),
      create: fc.boolean(),
      remove: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ t: fc.constant('grant' as const), p: principal, channels: channelSet }) },
  { weight: 3, arbitrary: fc.record({ t: fc.constant('sync' as const), p: principal }) },
);
const historyArbitrary = fc.record({
  grants: fc.tuple(channelSet, channelSet, channelSet),
  ops: fc.array(opArbitrary, { minLength: 1, maxLength: 10 }),
});
interface History {
  grants: [string[], string[], string[]];
  ops: Op[];
}

/** Every item of a store's collection: id → "fingerprint deleted", and its channels. */
async function itemsOf(store: Store): Promise<Map<string, { version: string; channels: string[] }>> {
  const page = await store.changes('notes', { limit: 10_000, withData: false });
  return new Map(page.entries.map((e) => [e.itemId, { version: `${e.fingerprint} ${e.deleted}`, channels: e.channels }]));
}

async function run(history: History): Promise<void> {
  const principals = new TestPrincipals().admin('admin');
  const grants: string[][] = history.grants.map((g) => [...g]);
  PRINCIPALS.forEach((p, i) => principals.scoped(p, 'notes', grants[i]!));
  const node: StartedNode = await startNode({ collections: [{ name: 'notes', channels: '/ch' }], authenticate: principals.authenticate });
  const locals = PRINCIPALS.map(() => new MemoryStore());
  let fresh = 100;
  const trace: string[] = [];
  try {
    for (const op of history.ops) {
      trace.push(JSON.stringify(op));
      if (op.t === 'admin-put') {
        const reply = await request(`${node.url}notes/${id(op.k)}`, { method: 'PUT', body: { data: { ch: op.channels, v: op.v } }, headers: bearer('admin') });
        expect(reply.status, reply.text).to.be.oneOf([200, 201]);
      } else if (op.t === 'admin-delete') {
        const reply = await request(`${node.url}notes/${id(op.k)}`, { method: 'DELETE', headers: bearer('admin') });
        expect(reply.status, reply.text).to.be.oneOf([204, 404]);
      } else if (op.t === 'grant') {
        grants[op.p] = [...op.channels];
        principals.scoped(PRINCIPALS[op.p]!, 'notes', grants[op.p]!);
      } else {
        if (op.t === 'edit') {
          // In step first: an edit over a version the node has since moved into channels this
          // principal cannot write is a 403 at every sync (grants come before preconditions).
          await syncAndCheck(op.p);
          await edit(locals[op.p]!, op, grants[op.p]!, () => id(fresh++));
        }
        await syncAndCheck(op.p);
      }
    }
    // Every principal ends in step with the node.
    for (let p = 0; p < PRINCIPALS.length; p++) await syncAndCheck(p);
  } catch (error) {
    (error as Error).message += `\n  history (seed ${SEED}): grants ${JSON.stringify(history.grants)}\n  ${trace.join('\n  ')}`;
    throw error;
  } finally {
    await node.close();
  }

  async function syncAndCheck(p: number): Promise<void> {
    await syncStore(locals[p]!, node.url, { token: PRINCIPALS[p]!, collections: ['notes'], backoffMs: 1 });
    const grant = grants[p]!;
    const visible = new Map<string, string>();
    for (const [itemId, item] of await itemsOf(node.store)) if (item.channels.some((c) => grant.includes(c))) visible.set(itemId, item.version);
    const held = new Map([...(await itemsOf(locals[p]!))].map(([itemId, item]) => [itemId, item.version]));
    expect(Object.fromEntries([...held].sort()), `${PRINCIPALS[p]} (grant ${JSON.stringify(grant)}) after its sync`).to.deep.equal(
      Object.fromEntries([...visible].sort()),
    );
  }
}

/** A principal's own write in its local store: an item it holds live (or a new one), within its grant. */
async function edit(store: Store, op: Extract<Op, { t: 'edit' }>, grant: string[], newId: () => string): Promise<void> {
  const channels = op.channels.filter((c) => grant.includes(c));
  if (channels.length === 0) return;
  // Only items whose every channel it may write (DESIGN §7: the channels it has now and will have).
  const page = await store.changes('notes', { limit: 10_000, withData: true });
  const live = page.entries.filter((e) => !e.deleted && ((e.data as { ch: string[] }).ch ?? []).every((c) => grant.includes(c))).map((e) => e.itemId);
  const itemId = op.create || live.length === 0 ? newId() : live[op.pick % live.length]!;
  const data = { ch: channels, v: op.v };
  const remove = op.remove && !op.create && live.length > 0;
  const outcome = await store.apply('notes', [
    remove
      ? { itemId, data: null, deleted: true, fingerprint: TOMBSTONE_FINGERPRINT, updatedAt: null, precondition: { kind: 'none' } }
      : { itemId, data, deleted: false, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } },
  ]);
  if (!outcome.ok) throw new Error('local write refused');
}

describe('reliability: scopes model (DESIGN §7)', function () {
  this.timeout(600_000);

  it('after every sync each principal holds exactly what its grants show, at the latest versions', async function () {
    console.log(`      scopes: seed ${SEED} (HALSYNC_SEED to replay), ${RUNS} histories (HALSYNC_PROPERTY_RUNS)`);
    await fc.assert(
      fc.asyncProperty(historyArbitrary, (history) => run(history)),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });
});
