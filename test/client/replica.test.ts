import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { NodeReplica } from '../../lib/client/node-replica.js';
import type { LogPage, Replica } from '../../lib/client/replica.js';
import { readRoot } from '../../lib/client/root.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json, SyncEntry } from '../../lib/protocol/types.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put } from '../support/sync.js';

/**
 * The Replica contract (lib/client/replica.ts, DESIGN §3): "anything that can list its changes
 * since a checkpoint, give items' data, and apply a sync log atomically with base preconditions".
 * The same script runs against both kinds, a local store and a remote node over loopback HTTP,
 * and must see the same: that is what lets one engine sync store↔node and node↔node.
 */
interface Subject {
  store: Store;
  replica: Replica;
  close(): Promise<void>;
}

/** Small pages, so the contract holds across pages too. */
const PAGE = 2;

const kinds: Array<[string, () => Promise<Subject>]> = [
  [
    'StoreReplica (a local store)',
    async () => {
      const store = new MemoryStore();
      return { store, replica: new StoreReplica(store, 'items', PAGE), close: async () => undefined };
    },
  ],
  [
    'NodeReplica (a node over HTTP)',
    async () => {
      const node: StartedNode = await startNode();
      const http = new HttpClient();
      const replica = await NodeReplica.fromRoot(http, await readRoot(http, node.url), 'items', { pageSize: PAGE });
      return {
        store: node.store,
        replica,
        close: async () => {
          http.close();
          await node.close();
        },
      };
    },
  ],
];

async function read(replica: Replica, since: string | null): Promise<{ ids: string[]; checkpoint: string; more: Array<boolean | undefined> }> {
  const pages: LogPage[] = [];
  for await (const page of replica.changes(since)) pages.push(page);
  return { ids: pages.flatMap((p) => p.entries.map((e) => e.itemId)), checkpoint: pages.at(-1)!.checkpoint, more: pages.map((p) => p.more) };
}

function entry(itemId: string, data: Json, base?: string | null): SyncEntry {
  return { itemId, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data, ...(base === undefined ? {} : { base }) };
}

describe('client/replica: the contract both kinds keep', () => {
  for (const [name, make] of kinds) {
    describe(name, () => {
      let subject: Subject;
      beforeEach(async () => {
        subject = await make();
      });
      afterEach(() => subject.close());

      it('names its collection and lists its changes oldest first, a checkpoint resuming exactly after them', async () => {
        const [a, b, c] = [newId(), newId(), newId()];
        await put(subject.store, a, { n: 1 });
        await put(subject.store, b, { n: 2 });
        const first = await read(subject.replica, null);
        expect(subject.replica.collection).to.equal('items');
        expect(subject.replica.description).to.be.a('string').that.is.not.empty;
        expect(first.ids).to.deep.equal([a, b]);
        await put(subject.store, c, { n: 3 });
        await put(subject.store, a, { n: 4 });
        expect((await read(subject.replica, first.checkpoint)).ids).to.deep.equal([c, a]);
      });

      it('says of every page but the last that another follows', async () => {
        for (let n = 1; n <= 5; n++) await put(subject.store, newId(), { n });
        const log = await read(subject.replica, null);
        expect(log.ids).to.have.length(5);
        expect(log.more).to.deep.equal([true, true, false]);
      });

      it("gives the items' present versions and data", async () => {
        const id = newId();
        await put(subject.store, id, { n: 1 });
        const listed = [];
        for await (const page of subject.replica.changes(null)) listed.push(...page.entries);
        const data = await subject.replica.data(listed);
        expect(listed.map((e) => e.itemId)).to.deep.equal([id]);
        expect(data.get(id)).to.include({ fingerprint: fingerprint({ n: 1 }), deleted: false });
        expect(data.get(id)!.data).to.deep.equal({ n: 1 });
      });

      it('applies a sync log whole when every base holds, and none of it when one does not', async () => {
        const [kept, other] = [newId(), newId()];
        await put(subject.store, kept, { v: 1 });
        const applied = await subject.replica.apply({ entries: [entry(kept, { v: 2 }, fingerprint({ v: 1 })), entry(other, { v: 1 }, null)] });
        expect(applied).to.include({ ok: true, applied: 2 });
        const refused = await subject.replica.apply({ entries: [entry(other, { v: 9 }, null), entry(kept, { v: 9 }, fingerprint({ v: 1 }))] });
        expect(refused.ok).to.equal(false);
        if (!refused.ok) expect(refused.conflicts.map((c) => c.itemId).sort()).to.deep.equal([kept, other].sort());
        expect((await subject.store.getItem('items', kept))!.data).to.deep.equal({ v: 2 });
        expect((await subject.store.getItem('items', other))!.data).to.deep.equal({ v: 1 });
      });
    });
  }
});
