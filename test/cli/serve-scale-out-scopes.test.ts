import { expect } from 'chai';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request, type Reply } from '../support/http.js';
import { requirePostgres, testSchema, type TestSchema } from '../support/postgres.js';
import { serve, type ServeProcess } from '../support/serve.js';

/**
 * DESIGN §4 and §7 as an operator runs them: two `halsync serve` processes on the scoped example
 * (examples/scoped: principals, a channels pointer), one PostgreSQL schema, behind what could be a
 * load balancer. Alice's scoped log is one log: a cursor one process issued is good at the
 * other, and a held read at one is woken by a visible write through the other and not by bob's.
 */
const EXAMPLE = new URL('../../../examples/scoped/', import.meta.url);
const alice = { Authorization: 'Bearer alice-token-change-me' };
const bob = { Authorization: 'Bearer bob-token-change-me' };
const admin = { Authorization: 'Bearer admin-token-of-this-test' };

describe('halsync serve: two processes on one PostgreSQL serve one scoped log', function () {
  this.timeout(60_000);
  let schema: TestSchema | undefined;
  let dir: string | undefined;
  let nodes: ServeProcess[] = [];
  let urls: string[] = [];

  before(async function () {
    await requirePostgres(this, 'the two-process scoped scale-out test');
    schema = testSchema('serve_scale_out_scopes');
    dir = await mkdtemp(join(tmpdir(), 'halsync-scale-out-'));
    await cp(EXAMPLE, join(dir, 'scoped'), { recursive: true });
    // The store flag overrides the file's SQLite store; the first process creates the schema, then the second joins it.
    nodes = [serve(['--config', join(dir, 'scoped', 'halsync.json'), '--port', '0', '--store', schema.url, '--token', 'admin-token-of-this-test'])];
    urls = [await nodes[0]!.started];
    nodes.push(serve(['--config', join(dir, 'scoped', 'halsync.json'), '--port', '0', '--store', schema.url, '--token', 'admin-token-of-this-test']));
    urls.push(await nodes[1]!.started);
  });

  after(async () => {
    for (const node of nodes) await node.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    await schema?.drop();
  });

  async function put(node: number, headers: Record<string, string>, itemId: string, channels: string[]): Promise<void> {
    const reply = await request(`${urls[node]}notes/${itemId}`, { method: 'PUT', headers, body: { data: { text: itemId, channels } } });
    expect(reply.status, reply.text).to.be.oneOf([200, 201]);
  }

  async function log(node: number, query = '', headers: Record<string, string> = {}): Promise<Reply> {
    const reply = await request(`${urls[node]}notes/transactions${query}`, { headers: { ...alice, ...headers } });
    expect(reply.status, reply.text).to.equal(200);
    return reply;
  }

  const listed = (reply: Reply) =>
    (reply.json._embedded['sync:entry'] as Array<{ itemId: string; removed?: true }>).map((e) => (e.removed ? `-${e.itemId}` : e.itemId));

  it('shares cursors, removals and held reads between the processes', async () => {
    const [mine, his, shared] = ['00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000002', '00000000-0000-4000-8000-000000000003'];
    await put(0, alice, mine, ['user:alice']);
    await put(1, bob, his, ['user:bob']);
    await put(0, alice, shared, ['user:alice', 'list:groceries']);
    const first = await log(1);
    expect(listed(first)).to.deep.equal([mine, shared]);
    expect(listed(await log(0))).to.deep.equal([mine, shared]);

    // A change made through process 1 is listed after process 1's cursor at process 0.
    await put(1, alice, shared, ['list:groceries']);
    const after = await log(0, `?cursor=${first.json.checkpoint}`);
    expect(listed(after)).to.deep.equal([shared]);

    // A held read at process 0: not answered by bob's write through process 1, answered by alice's.
    const held = log(0, `?cursor=${after.json.checkpoint}`, { Prefer: 'wait=20' });
    await put(1, bob, '00000000-0000-4000-8000-000000000004', ['user:bob']);
    await put(1, alice, '00000000-0000-4000-8000-000000000005', ['list:groceries']);
    expect(listed(await held)).to.deep.equal(['00000000-0000-4000-8000-000000000005']);

    // The administrator moves the shared note to bob through process 1: a removal for alice at process 0.
    const before = await log(1);
    await put(1, admin, shared, ['user:bob']);
    expect(listed(await log(0, `?cursor=${before.json.checkpoint}`))).to.deep.equal([`-${shared}`]);

    // Bob's note is a 404 to alice at both processes, as an unknown one is.
    for (const url of urls) expect((await request(`${url}notes/${his}`, { headers: alice })).status).to.equal(404);
  });
});
