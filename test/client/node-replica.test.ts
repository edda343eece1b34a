import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { NodeReplica } from '../../lib/client/node-replica.js';
import { UnknownCollection } from '../../lib/client/errors.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put } from '../support/sync.js';
import type { LogPage } from '../../lib/client/replica.js';

async function pagesOf(replica: NodeReplica): Promise<LogPage[]> {
  const pages: LogPage[] = [];
  for await (const page of replica.changes(null)) pages.push(page);
  return pages;
}

/** A remote node's collection as a replica (lib/client/node-replica.ts), over a real node on loopback. */
describe('client/node-replica', () => {
  let node: StartedNode;
  let http: HttpClient;
  beforeEach(async () => {
    node = await startNode();
    http = new HttpClient();
  });
  afterEach(async () => {
    http.close();
    await node.close();
  });

  it('finds its collection from the root, and names a collection the root does not publish', async () => {
    const root = await http.root(node.url).get();
    expect(NodeReplica.collections(root)).to.deep.equal(['items']);
    const missing = await NodeReplica.open(http, node.url, 'nope').catch((e: unknown) => e);
    expect(missing).to.be.instanceOf(UnknownCollection);
  });

  it("reads the log page by page with embedded data, each page's checkpoint resuming the next read", async () => {
    const ids = [newId(), newId(), newId()];
    for (const id of ids) await put(node.store, id, { id });
    const replica = await NodeReplica.open(http, node.url, 'items', { pageSize: 2 });
    const pages = [];
    for await (const page of replica.changes(null)) pages.push(page);
    expect(pages.map((p) => p.entries.map((e) => e.itemId))).to.deep.equal([ids.slice(0, 2), ids.slice(2)]);
    expect(pages[0]!.entries[0]!.data).to.deep.equal({ id: ids[0] });
    expect(pages[0]!.entries[0]!.itemURI).to.match(/^http:\/\/127\.0\.0\.1:\d+\/items\//);
    const none = [];
    for await (const page of replica.changes(pages.at(-1)!.checkpoint)) none.push(...page.entries);
    expect(none).to.deep.equal([]);
  });

  it('fetches data by itemURI when the log does not embed it', async () => {
    const id = newId();
    await put(node.store, id, { v: 1 });
    const replica = await NodeReplica.open(http, node.url, 'items', { embed: false });
    const [page] = await pagesOf(replica);
    expect(page!.entries[0]!.data).to.equal(undefined);
    const data = await replica.data(page!.entries);
    expect(data.get(id)).to.include({ fingerprint: fingerprint({ v: 1 }), deleted: false });
    expect(data.get(id)!.data).to.deep.equal({ v: 1 });
  });

  it('pushes a sync log, and answers a refused base as conflicts rather than an error', async () => {
    const id = newId();
    await put(node.store, id, { v: 1 });
    const replica = await NodeReplica.open(http, node.url, 'items');
    const entry = { itemId: id, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint({ v: 2 }), deleted: false, data: { v: 2 } };
    const refused = await replica.apply({ entries: [{ ...entry, base: null }] });
    expect(refused.ok).to.equal(false);
    const applied = await replica.apply({ entries: [{ ...entry, base: fingerprint({ v: 1 }) }] });
    expect(applied).to.include({ ok: true, applied: 1 });
    expect((await node.store.getItem('items', id))!.data).to.deep.equal({ v: 2 });
  });

  it('long-polls for a change after a checkpoint', async () => {
    const replica = await NodeReplica.open(http, node.url, 'items');
    const [page] = await pagesOf(replica);
    const waiting = replica.waitForChange(page!.checkpoint, 10, new AbortController().signal);
    await put(node.store, newId(), { late: true });
    expect(await waiting).to.equal(true);
  });
});
