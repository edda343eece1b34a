import { expect } from 'chai';
import { syncStore } from '../../lib/client/connect.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { PostgresStore } from '../../lib/store/postgres.js';
import type { Store } from '../../lib/store/store.js';
import { request, type Reply } from '../support/http.js';
import { requirePostgres, testSchema, type TestSchema } from '../support/postgres.js';
import { bearer, TestPrincipals } from '../support/principals.js';
import { startNode, type StartedNode } from '../support/server.js';

/**
 * Scale-out with scopes (DESIGN §4, §7): two nodes, each with its own PostgreSQL connections
 * (as two `serve` processes have), on one schema, serve one scoped log: a cursor one issued is
 * good at the other, a held read at one is woken by a visible write through the other (and not
 * by an invisible one), and a principal syncing through either holds exactly its view.
 */
const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

describe('scale-out: one scoped log across two nodes on one PostgreSQL schema', function () {
  this.timeout(60_000);
  let schema: TestSchema | undefined;
  let stores: PostgresStore[] = [];
  let nodes: StartedNode[] = [];
  const principals = new TestPrincipals().admin('admin').scoped('alice', 'notes', ['user:alice', 'list:home']);

  before(async function () {
    await requirePostgres(this, 'the scoped scale-out tests');
    schema = testSchema('scale_out_scopes');
    stores = [await PostgresStore.open(schema.url), await PostgresStore.open(schema.url)];
    nodes = await Promise.all(
      stores.map((store) => startNode({ store, collections: [{ name: 'notes', channels: '/channels' }], authenticate: principals.authenticate })),
    );
  });

  after(async () => {
    for (const node of nodes) await node.close();
    for (const store of stores) await store.close();
    await schema?.drop();
  });

  async function put(node: number, i: number, channels: string[]): Promise<void> {
    const reply = await request(`${nodes[node]!.url}notes/${id(i)}`, { method: 'PUT', body: { data: { channels, n: i } }, headers: bearer('admin') });
    expect(reply.status, reply.text).to.be.oneOf([200, 201]);
  }

  async function log(node: number, query = '', headers: Record<string, string> = {}): Promise<Reply> {
    const reply = await request(`${nodes[node]!.url}notes/transactions${query}`, { headers: { ...bearer('alice'), ...headers } });
    expect(reply.status, reply.text).to.equal(200);
    return reply;
  }

  const listed = (reply: Reply) =>
    (reply.json._embedded['sync:entry'] as Array<{ itemId: string; removed?: true }>).map((e) => (e.removed ? `-${e.itemId}` : e.itemId));

  async function visibleTo(grant: string[], store: Store): Promise<string[]> {
    const page = await store.changes('notes', { limit: 10_000, withData: false });
    return page.entries.filter((e) => e.channels.some((c) => grant.includes(c))).map((e) => `${e.itemId} ${e.fingerprint} ${e.deleted}`);
  }

  it('serves one scoped log: cursors, removals and held reads across the nodes', async () => {
    await put(0, 1, ['user:alice']);
    await put(1, 2, ['user:bob']);
    await put(0, 3, ['list:home', 'user:bob']);
    const first = await log(1);
    expect(listed(first)).to.deep.equal([id(1), id(3)]);
    expect(listed(await log(0))).to.deep.equal([id(1), id(3)]);

    // A cursor from node 1 at node 0; a move made through node 1 is a removal there.
    await put(1, 3, ['user:bob']);
    const moved = await log(0, `?cursor=${first.json.checkpoint}`);
    expect(listed(moved)).to.deep.equal([`-${id(3)}`]);

    // A held read at node 0: not answered by bob's write through node 1, answered by alice's.
    const held = log(0, `?cursor=${moved.json.checkpoint}`, { Prefer: 'wait=20' });
    await put(1, 4, ['user:bob']);
    await put(1, 5, ['list:home']);
    expect(listed(await held)).to.deep.equal([id(5)]);
  });

  it('a principal syncing through either node holds exactly its view', async () => {
    const grant = ['user:alice', 'list:home'];
    // One replica per node: a client keeps its checkpoints per root URL, so each node is its own remote to it.
    const replicas = [new MemoryStore(), new MemoryStore()];
    const syncAll = async () => {
      for (const [i, local] of replicas.entries()) {
        await syncStore(local, nodes[i]!.url, { token: 'alice', collections: ['notes'] });
        const page = await local.changes('notes', { limit: 10_000, withData: false });
        expect(page.entries.map((e) => `${e.itemId} ${e.fingerprint} ${e.deleted}`).sort(), `through node ${i}`).to.deep.equal(
          (await visibleTo(grant, stores[0]!)).sort(),
        );
      }
    };
    await syncAll();
    await put(1, 6, ['user:alice']);
    await put(0, 1, ['user:carol']);
    await syncAll();
    await put(0, 6, ['list:work']);
    await put(1, 7, ['list:home']);
    await syncAll();
  });
});
