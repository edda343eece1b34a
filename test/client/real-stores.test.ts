import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { openStore } from '../../lib/store/open.js';
import type { Store } from '../../lib/store/store.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { startNode, type StartedNode } from '../support/server.js';
import { at, contents, newId, put, remove, stateFile, versions } from '../support/sync.js';

/**
 * The sync engine end to end over real storage: a SQLite store syncing with a node kept in
 * PostgreSQL (and the other way round), over HTTP, across a reopen of the local file.
 */
type Kind = 'sqlite' | 'postgres';

describe('sync between SQLite and PostgreSQL stores over HTTP', function () {
  this.timeout(30_000);
  let dir: string;
  const cleanup: Array<() => Promise<void>> = [];

  before(async function () {
    await requirePostgres(this, 'the SQLite ↔ PostgreSQL sync tests');
  });
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-stores-'))));
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
    await rm(dir, { recursive: true, force: true });
  });

  /** A store of this kind, closed (and its schema dropped) after the test; `url` opens it again. */
  async function open(kind: Kind, name: string): Promise<{ store: Store; url: string }> {
    let url = `sqlite:${join(dir, `${name}.db`)}`;
    if (kind === 'postgres') {
      const schema = testSchema();
      cleanup.push(() => schema.drop());
      url = schema.url;
    }
    const store = await openStore(url);
    cleanup.push(() => store.close());
    return { store, url };
  }

  async function nodeOn(kind: Kind): Promise<StartedNode> {
    const node = await startNode({ store: (await open(kind, 'node')).store });
    cleanup.push(() => node.close());
    return node;
  }

  for (const [localKind, nodeKind] of [
    ['sqlite', 'postgres'],
    ['postgres', 'sqlite'],
  ] as const) {
    it(`a ${localKind} store and a node on ${nodeKind} converge, and stay converged after the local store is reopened`, async () => {
      const node = await nodeOn(nodeKind);
      const local = await open(localKind, 'local');
      const [a, b, x, mine, theirs] = [newId(), newId(), newId(), newId(), newId()];
      for (const id of [a, b, x]) await put(node.store, id, { id, v: 0 });
      expect(await syncStore(local.store, node.url)).to.include({ pulled: 3, pushed: 0 });

      // Both sides write; both edit x, the local edit a minute later (within the node's clock skew), so it wins.
      const later = at(new Date().toISOString(), 60_000);
      await put(local.store, x, { id: x, v: 'local' }, later);
      await put(local.store, mine, { from: 'local' });
      await remove(local.store, a);
      await put(node.store, x, { id: x, v: 'node' });
      await put(node.store, b, { id: b, v: 'node' });
      await put(node.store, theirs, { from: 'node' });
      const report = await syncStore(local.store, node.url);
      expect(report).to.include({ pushed: 3, pulled: 2, deleted: 1, conflicts: 1 });
      expect(await versions(local.store)).to.deep.equal(await versions(node.store));
      expect(await contents(node.store)).to.deep.equal({
        [a]: null,
        [b]: { id: b, v: 'node' },
        [x]: { id: x, v: 'local' },
        [mine]: { from: 'local' },
        [theirs]: { from: 'node' },
      });

      // The checkpoints live in the local store: reopened, it still has nothing to move.
      await local.store.close();
      const reopened = await openStore(local.url);
      cleanup.push(() => reopened.close());
      expect(await syncStore(reopened, node.url)).to.include({ pulled: 0, pushed: 0 });
      expect(await versions(reopened)).to.deep.equal(await versions(node.store));
    });
  }

  it('a node on SQLite and a node on PostgreSQL converge node ↔ node', async () => {
    const [lite, pg] = [await nodeOn('sqlite'), await nodeOn('postgres')];
    for (let i = 0; i < 5; i++) await put(lite.store, newId(), { on: 'sqlite', i });
    for (let i = 0; i < 5; i++) await put(pg.store, newId(), { on: 'postgres', i });
    const state = await stateFile();
    expect(await syncNodes(lite.url, pg.url, { state })).to.include({ pulled: 5, pushed: 5 });
    expect(await versions(lite.store)).to.deep.equal(await versions(pg.store));
    expect(Object.keys(await contents(pg.store))).to.have.lengthOf(10);
    expect(await syncNodes(pg.url, lite.url, { state })).to.include({ pulled: 0, pushed: 0 });
  });
});
