import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { NodeReplica } from '../../lib/client/node-replica.js';
import { ProtocolViolation, UnexpectedResponse, UnknownCollection } from '../../lib/client/errors.js';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { lyingNode, logPage, type LyingNode, type Script } from '../support/lying-node.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, put, stateFile } from '../support/sync.js';
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

/**
 * Issue 12 #5 and #7: a node that lies. The client checks what it receives with the node's own
 * rules; a sync with a liar fails naming the node and the item, and applies nothing, on either side.
 */
describe('client/node-replica: a node that lies', () => {
  const itemId = '00000000-0000-4000-8000-0000000000f1';
  const honest = { itemId, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint({ a: 1 }), deleted: false, data: { a: 1 } };
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function liar(script: Script): Promise<LyingNode> {
    const node = await lyingNode(script);
    closers.push(() => node.close());
    return node;
  }

  /** A one-page log holding `entries` (a string body is sent as it is). */
  const onePage = (entries: Array<Record<string, unknown>>) => ({ page: () => logPage(entries, 'QUFBQQ') });

  async function refused(node: LyingNode, shown: RegExp): Promise<ProtocolViolation> {
    const local = new MemoryStore();
    // The local store has something to push: a lie in Step 1 must stop the sync before any push.
    await put(local, '00000000-0000-4000-8000-0000000000f2', { mine: true });
    const error = await syncStore(local, node.url).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProtocolViolation);
    expect((error as Error).message)
      .to.contain(node.url)
      .and.match(shown);
    expect(Object.keys(await contents(local))).to.deep.equal(['00000000-0000-4000-8000-0000000000f2']);
    expect(node.puts).to.deep.equal([]);
    return error as ProtocolViolation;
  }

  it('refuses embedded data that does not hash to its fingerprint, naming the item', async () => {
    const error = await refused(await liar(onePage([{ ...honest, data: { a: 'other' } }])), /does not match the fingerprint/);
    expect(error.itemId).to.equal(itemId);
    expect(error.message).to.contain(itemId);
  });

  for (const bad of ['../../etc/passwd', '', '__proto__']) {
    it(`refuses the item id ${JSON.stringify(bad)}`, async () => {
      await refused(await liar(onePage([{ ...honest, itemId: bad }])), /\/itemId must be a UUID/);
    });
  }

  it('refuses a malformed fingerprint and a timestamp outside the grammar', async () => {
    await refused(await liar(onePage([{ ...honest, fingerprint: 'ABC', data: undefined }])), /\/fingerprint must be 40 lowercase hex/);
    await refused(await liar(onePage([{ ...honest, updatedAt: '2026-01-01T00:00:00Z' }])), /\/updatedAt must be a timestamp/);
  });

  it('refuses a lone surrogate in the data, as a value or as a key', async () => {
    const print = honest.fingerprint;
    const body = (data: string) =>
      `{"checkpoint":"QUFBQQ","_links":{"self":{"href":"/items/transactions"}},"_embedded":{"sync:entry":[{"itemId":"${itemId}","updatedAt":"2026-01-01T00:00:00.000Z","fingerprint":"${print}","deleted":false,"itemURI":"/items/${itemId}","data":${data}}]}}`;
    await refused(await liar({ page: () => body('{"s":"\\ud800"}') }), /lone surrogate/);
    await refused(await liar({ page: () => body('{"\\udc00":1}') }), /lone surrogate/);
  });

  it('refuses a fetched item whose data does not hash to its fingerprint', async () => {
    const entry = { itemId, updatedAt: honest.updatedAt, fingerprint: honest.fingerprint, deleted: false };
    const node = await liar({ page: () => logPage([entry], 'QUFBQQ'), item: () => ({ ...entry, data: { a: 'swapped' } }) });
    const error = await refused(node, /does not match the fingerprint of data/);
    expect(error.uri).to.equal(`${node.url}items/${itemId}`);
  });

  it('refuses a checkpoint that is no cursor', async () => {
    const node = await liar({ page: () => ({ ...logPage([honest], 'QUFBQQ'), checkpoint: '../x' }) });
    const error = await syncStore(new MemoryStore(), node.url).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UnexpectedResponse);
    expect((error as Error).message).to.match(/no valid checkpoint/);
  });

  it('node ↔ node: the honest node receives nothing of a sync with a liar', async () => {
    const good = await startNode();
    closers.push(() => good.close());
    await put(good.store, '00000000-0000-4000-8000-0000000000f3', { honest: true });
    const node = await liar(onePage([{ ...honest, data: { a: 'lie' } }]));
    const error = await syncNodes(good.url, node.url, { state: await stateFile() }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(ProtocolViolation);
    expect(Object.keys(await contents(good.store))).to.deep.equal(['00000000-0000-4000-8000-0000000000f3']);
    expect(node.puts).to.deep.equal([]);
  });

  it('ends an endless chain of empty pages whose checkpoint does not move, naming the page', async () => {
    let n = 0;
    const node = await liar({ page: () => logPage([], 'QUFBQQ', `/items/transactions?cursor=QUFBQQ&n=${++n}`) });
    const error = await syncStore(new MemoryStore(), node.url).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(UnexpectedResponse);
    expect((error as Error).message)
      .to.match(/makes no progress/)
      .and.contain(`${node.url}items/transactions`);
    expect(node.requests.filter((r) => r.startsWith('GET /items/transactions'))).to.have.length.below(4);
  });

  it('follows empty pages whose checkpoint moves (a scoped log skipping what it hides) to the end', async () => {
    const cursors = ['QUFB', 'QUFC', 'QUFD', 'QUFE'];
    const node = await liar({
      page: (cursor) => {
        const i = cursor === null ? 0 : cursors.indexOf(cursor) + 1;
        return i < cursors.length - 1 ? logPage([], cursors[i]!, `/items/transactions?cursor=${cursors[i]}`) : logPage([honest], cursors[i]!);
      },
    });
    const local = new MemoryStore();
    const report = await syncStore(local, node.url);
    expect(report.pulled).to.equal(1);
    expect((await contents(local))[itemId]).to.deep.equal({ a: 1 });
  });
});
