import { expect } from 'chai';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { startFaultProxy } from '../support/fault-proxy.js';
import { request, type Reply } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';
import { at, contents, newId, put, stateFile, versions } from '../support/sync.js';

/**
 * The conflict audit end to end, over real HTTP: a sync in which both sides changed an item
 * records the decision on the node that ran it; the node lists it under the collection's
 * `sync:conflicts` (newest first, paged); one POST to `sync:restore` brings the losing version
 * back as a new edit, and the next sync carries it to the other side.
 */
describe('client/conflicts: the audit of every conflict decided', () => {
  const T = '2026-03-01T10:00:00.000Z';
  const CLOCK = new Date('2030-01-01T00:00:00.000Z');
  const nodes: StartedNode[] = [];
  const node = async () => {
    const started = await startNode({ clock: () => CLOCK });
    nodes.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  const get = async (url: string): Promise<Reply> => {
    const reply = await request(url, { headers: { Accept: 'application/hal+json' } });
    expect(reply.status, reply.text).to.equal(200);
    return reply;
  };
  const href = (doc: any, rel: string): string => doc._links[rel].href;
  /** The conflicts page of a node's `items` collection, found by links from its root. */
  const conflictsOf = async (root: string, query = ''): Promise<any> => {
    const rootDoc = (await get(root)).json;
    const collection = (await get(rootDoc._links['sync:collection'][0].href)).json;
    return (await get(href(collection, 'sync:conflicts') + query)).json;
  };
  /** Both sides change an item that they had agreed on, the local side `ms` later. */
  async function bothChange(local: StartedNode['store'], remote: StartedNode['store'], id: string, ms: number, tag: string) {
    await put(local, id, { v: `local ${tag}` }, at(T, 60_000 + ms));
    await put(remote, id, { v: `remote ${tag}` }, at(T, 60_000));
  }

  it('store ↔ node: records in the local store, lists newest first with paging, restores with one POST, and the restore syncs', async () => {
    const [local, remote] = [await node(), await node()];
    const [x, y, z] = [newId(), newId(), newId()];
    for (const id of [x, y, z]) await put(local.store, id, { v: 'base' }, T);
    await syncStore(local.store, remote.url);

    await bothChange(local.store, remote.store, x, 5000, 'x');
    const first = await syncStore(local.store, remote.url);
    expect(first.decisions.map((d) => [d.itemId, d.winner, d.rule])).to.deep.equal([[x, 'local', 'newer']]);
    // Inside the skew window, and without embedded log data: the loser's data is fetched for the record.
    await bothChange(local.store, remote.store, y, 200, 'y');
    await bothChange(local.store, remote.store, z, 300, 'z');
    const second = await syncStore(local.store, remote.url, { embed: false, prefer: 'remote' });
    expect(second.decisions.map((d) => d.rule)).to.deep.equal(['prefer-remote', 'prefer-remote']);
    expect(second.conflicts).to.equal(2);
    expect(await versions(local.store)).to.deep.equal(await versions(remote.store));

    // Recorded on the node that ran the sync only.
    expect((await conflictsOf(remote.url))._embedded['sync:conflict'].length).to.equal(0);
    const firstPage = await conflictsOf(local.url, '?limit=2');
    const records = firstPage._embedded['sync:conflict'];
    expect(records.map((r: any) => r.itemId).sort()).to.deep.equal([y, z].sort());
    const older = (await get(href(firstPage, 'next'))).json;
    expect(older._links.next).to.equal(undefined);
    const [xRecord] = older._embedded['sync:conflict'];
    expect({ itemId: xRecord.itemId, rule: xRecord.rule, winner: xRecord.winner, peer: xRecord.peer, restored: xRecord.restored }).to.deep.equal({
      itemId: x,
      rule: 'newer',
      winner: 'local',
      peer: remote.url,
      restored: null,
    });
    expect(xRecord.local).to.deep.equal({ updatedAt: at(T, 65_000), fingerprint: xRecord.result.fingerprint, deleted: false, data: { v: 'local x' } });
    expect(xRecord.remote.data).to.deep.equal({ v: 'remote x' });
    expect(records.find((r: any) => r.itemId === y).local.data).to.deep.equal({ v: 'local y' });
    expect(href(xRecord, 'sync:item')).to.equal(`${local.url}items/${x}`);
    expect((await get(href(xRecord, 'self'))).json).to.deep.equal(xRecord);

    // One request restores the losing (remote) version as a new edit stamped from the node's clock.
    const [restoreLink] = xRecord._links['sync:restore'];
    expect(restoreLink.name).to.equal('remote');
    const restored = await request(restoreLink.href, { method: 'POST' });
    expect(restored.status, restored.text).to.equal(200);
    expect(restored.json.data).to.deep.equal({ v: 'remote x' });
    expect(restored.json.updatedAt).to.equal(CLOCK.toISOString());
    expect(restored.headers.etag).to.equal(`"${xRecord.remote.fingerprint}"`);
    const marked = (await get(href(xRecord, 'self'))).json;
    expect(marked.restored).to.deep.equal({ side: 'remote', restoredAt: CLOCK.toISOString() });

    const after = await syncStore(local.store, remote.url);
    expect(after.decisions.map((d) => [d.itemId, d.winner, d.rule])).to.deep.equal([[x, 'local', 'one-side']]);
    expect((await contents(remote.store))[x]).to.deep.equal({ v: 'remote x' });
    expect(await versions(local.store)).to.deep.equal(await versions(remote.store));
    // A restore is an edit, not a conflict: the audit did not grow.
    expect((await conflictsOf(local.url))._embedded['sync:conflict'].length).to.equal(3);
  });

  it('node ↔ node: records on A (which plays local) through its sync:conflicts, once per decision, and a restore on A reaches B', async () => {
    const [a, b] = [await node(), await node()];
    const state = await stateFile();
    const id = newId();
    await put(a.store, id, { v: 'base' }, T);
    await syncNodes(a.url, b.url, { state });
    await bothChange(a.store, b.store, id, -5000, 'n');

    const report = await syncNodes(a.url, b.url, { state });
    expect(report.decisions.map((d) => [d.winner, d.rule])).to.deep.equal([['remote', 'newer']]);
    expect(report.unrecorded).to.equal(0);
    const page = await conflictsOf(a.url);
    expect((await conflictsOf(b.url))._embedded['sync:conflict'].length).to.equal(0);
    const [record] = page._embedded['sync:conflict'];
    expect(page._embedded['sync:conflict'].length).to.equal(1);
    expect({
      itemId: record.itemId,
      rule: record.rule,
      winner: record.winner,
      peer: record.peer,
      local: record.local.data,
      remote: record.remote.data,
    }).to.deep.equal({ itemId: id, rule: 'newer', winner: 'remote', peer: b.url, local: { v: 'local n' }, remote: { v: 'remote n' } });
    const again = await syncNodes(a.url, b.url, { state });
    expect(again.conflicts).to.equal(0);

    const restored = await request(record._links['sync:restore'][0].href, { method: 'POST' });
    expect(restored.status, restored.text).to.equal(200);
    expect(restored.json.data).to.deep.equal({ v: 'local n' });
    await syncNodes(a.url, b.url, { state });
    expect((await contents(b.store))[id]).to.deep.equal({ v: 'local n' });
    expect(await versions(a.store)).to.deep.equal(await versions(b.store));
  });

  it('node ↔ node: a POST of the records that fails leaves the sync done and counts them as unrecorded', async () => {
    const [a, b] = [await node(), await node()];
    const proxy = await startFaultProxy(a.url);
    try {
      const state = await stateFile();
      const id = newId();
      await put(a.store, id, { v: 'base' }, T);
      await syncNodes(`${proxy.url}/`, b.url, { state });
      await bothChange(a.store, b.store, id, 5000, 'cut');
      proxy.failNext({ at: 'before-request', match: (head) => /^POST \S*conflicts/.test(head) });
      const report = await syncNodes(`${proxy.url}/`, b.url, { state });
      expect(proxy.faults.length, 'the POST was cut').to.equal(1);
      expect([report.conflicts, report.unrecorded, report.pushed]).to.deep.equal([1, 1, 1]);
      expect((await contents(b.store))[id]).to.deep.equal({ v: 'local cut' });
      expect((await conflictsOf(a.url))._embedded['sync:conflict'].length).to.equal(0);
    } finally {
      await proxy.close();
    }
  });
});
