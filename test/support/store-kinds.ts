import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory.js';
import { openStore } from '../../lib/store/open.js';
import type { Store } from '../../lib/store/store.js';
import { requirePostgres, testSchema } from './postgres.js';
import { startNode, type StartedNode } from './server.js';

export type StoreKind = 'memory' | 'sqlite' | 'postgres';

const open: Record<StoreKind, (dir: string, tag: string) => Promise<{ store: Store; dispose: () => Promise<void> }>> = {
  memory: async () => ({ store: new MemoryStore(), dispose: async () => {} }),
  sqlite: async (dir, tag) => {
    const store = await openStore(`sqlite:${join(dir, `${tag}.db`)}`);
    return { store, dispose: () => store.close() };
  },
  postgres: async (_dir, tag) => {
    const schema = testSchema(tag);
    const store = await openStore(schema.url);
    return {
      store,
      dispose: async () => {
        await store.close();
        await schema.drop();
      },
    };
  },
};

/**
 * One suite over real HTTP against a node on each store kind (memory, SQLite, PostgreSQL), a
 * fresh node and store for every test. `node()` is the running one; the suite runs as mocha's
 * own (its `this` is the suite). PostgreSQL runs when HALSYNC_TEST_PG names a database.
 */
export function describeOnEveryStore(title: string, tag: string, suite: (this: Mocha.Suite, node: () => StartedNode, kind: StoreKind) => void): void {
  for (const kind of Object.keys(open) as StoreKind[]) {
    describe(`${title} (${kind})`, function () {
      let dir: string;
      let node: StartedNode;
      let dispose: () => Promise<void>;
      before(async function () {
        if (kind === 'postgres') await requirePostgres(this, `${title} on PostgreSQL`);
      });
      beforeEach(async () => {
        dir = await mkdtemp(join(tmpdir(), `halsync-${tag}-`));
        const opened = await open[kind](dir, tag);
        dispose = opened.dispose;
        node = await startNode({ store: opened.store });
      });
      afterEach(async () => {
        await node.close();
        await dispose();
        await rm(dir, { recursive: true, force: true });
      });
      suite.call(this, () => node, kind);
    });
  }
}
