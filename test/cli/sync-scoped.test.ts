import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { request } from '../support/http.js';
import { bearer, TestPrincipals } from '../support/principals.js';
import { halsync } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

/**
 * `halsync sync <url> --store sqlite:… --token <principal's token>` (DESIGN §7): the local store
 * holds exactly what the principal may see; a move out of its view drops the copy (a removal,
 * no tombstone, nothing pushed); a grant change expires its cursor and the full resync brings
 * the store to exactly the new view.
 */
describe('client/sync-command with a scoped principal', () => {
  let node: StartedNode;
  let dir: string;
  let principals: TestPrincipals;
  beforeEach(async () => {
    principals = new TestPrincipals().admin('admin').scoped('alice', 'notes', ['user:alice', 'list:home']);
    node = await startNode({ collections: [{ name: 'notes', channels: '/channels' }], authenticate: principals.authenticate });
    dir = await mkdtemp(join(tmpdir(), 'halsync-scoped-'));
  });
  afterEach(async () => {
    await node.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function put(i: number, channels: string[]): Promise<void> {
    const reply = await request(`${node.url}notes/${id(i)}`, { method: 'PUT', body: { data: { channels, n: i } }, headers: bearer('admin') });
    expect(reply.status, reply.text).to.be.oneOf([200, 201]);
  }

  async function syncAlice(path: string) {
    const { code, stdout, stderr } = await halsync(['sync', node.url, '--store', `sqlite:${path}`, '--token', 'alice', '--collection', 'notes', '--json']);
    expect(code, stderr).to.equal(0);
    return JSON.parse(stdout) as { pulled: number; pushed: number; dropped: number; fullResync: boolean };
  }

  async function held(path: string): Promise<string[]> {
    const store = SqliteStore.open(path);
    try {
      const page = await store.changes('notes', { limit: 1000, withData: false });
      return page.entries.map((e) => `${e.itemId}${e.deleted ? ' deleted' : ''}`).sort();
    } finally {
      await store.close();
    }
  }

  it('holds exactly the view, drops what leaves it, and follows a grant change', async () => {
    const path = join(dir, 'alice.db');
    await put(1, ['user:alice']);
    await put(2, ['user:bob']);
    await put(3, ['list:home', 'user:bob']);
    await put(4, ['list:work']);
    expect((await syncAlice(path)).pulled).to.equal(2);
    expect(await held(path)).to.deep.equal([id(1), id(3)]);

    // Item 3 leaves the shared list: a removal, dropped without a tombstone, nothing pushed.
    await put(3, ['user:bob']);
    const moved = await syncAlice(path);
    expect(moved).to.include({ pushed: 0, dropped: 1 });
    expect(await held(path)).to.deep.equal([id(1)]);

    // Alice loses list:home and gains list:work: her cursor expires, the full resync pulls 4.
    await put(5, ['list:home']);
    expect(await syncAlice(path)).to.include({ pulled: 1 });
    principals.scoped('alice', 'notes', ['user:alice', 'list:work']);
    const resync = await syncAlice(path);
    expect(resync).to.include({ fullResync: true, pushed: 0, dropped: 1, pulled: 1 });
    expect(await held(path)).to.deep.equal([id(1), id(4)]);
    // The node still has what Alice's store dropped, untouched.
    expect((await request(`${node.url}notes/${id(5)}`, { headers: bearer('admin') })).json.data).to.deep.equal({ channels: ['list:home'], n: 5 });
  });
});
