import assert from 'node:assert/strict';
import { syncStore } from '../../lib/client/connect.js';
import { MemoryStore } from '../../lib/store/memory.js';
import type { Store } from '../../lib/store/store.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put, versions } from '../support/sync.js';

/** The first sync of an empty local store over a log of several pages: pulled page by page (lib/client/sync.ts). */
describe('client/first-sync: first pull page by page', () => {
  const nodes: StartedNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  async function remoteWith(count: number): Promise<StartedNode> {
    const remote = await startNode();
    nodes.push(remote);
    for (let i = 0; i < count; i++) await put(remote.store, newId(), { i });
    return remote;
  }

  it('pulls every page, one request per page, and the next sync moves nothing', async () => {
    const remote = await remoteWith(250);
    const local = new MemoryStore();
    const pages: number[] = [];
    const first = await syncStore(local, remote.url, { pageSize: 100, onProgress: (p) => p.step === 4 && pages.push(p.done) });
    assert.equal(first.pulled, 250);
    assert.deepEqual(pages, [100, 200, 250]);
    // Root, collection, three log pages.
    assert.equal(first.requests, 5);
    assert.equal(first.decisions.length, 250);
    assert.deepEqual(await versions(local), await versions(remote.store));
    const second = await syncStore(local, remote.url, { pageSize: 100 });
    assert.equal(second.pulled + second.pushed, 0);
    assert.equal(second.requests, 3);
  });

  it('a local write made while the pages are applied is not skipped by the checkpoint saved', async () => {
    const remote = await remoteWith(250);
    const local = new MemoryStore();
    const written = newId();
    let once = false;
    await syncStore(local, remote.url, {
      pageSize: 100,
      // MemoryStore applies synchronously, so this write lands between two pages' applies.
      onProgress: (p) => {
        if (p.step === 4 && !once) (void put(local, written, { by: 'local, during the pull' }), (once = true));
      },
    });
    // The local checkpoint stayed before that write, so the next sync lists it (with the pages
    // pulled after it: pushed again as no-ops) and the one after moves nothing.
    const next = await syncStore(local, remote.url, { pageSize: 100 });
    assert.ok(next.pushed >= 1);
    assert.deepEqual((await remote.store.getItem('items', written))?.data, { by: 'local, during the pull' });
    assert.deepEqual(await versions(local), await versions(remote.store));
    const after = await syncStore(local, remote.url, { pageSize: 100 });
    assert.equal(after.pulled + after.pushed, 0);
  });

  it('dies after a page, and a rerun ends where an uninterrupted sync would, moving only the rest', async () => {
    const remote = await remoteWith(250);
    const local: Store = new MemoryStore();
    await assert.rejects(
      syncStore(local, remote.url, {
        pageSize: 100,
        onProgress: (p) => {
          if (p.step === 4) throw new Error('killed');
        },
      }),
      /killed/,
    );
    const rerun = await syncStore(local, remote.url, { pageSize: 100 });
    assert.equal(rerun.pulled, 150);
    assert.equal(rerun.pushed, 0);
    assert.deepEqual(await versions(local), await versions(remote.store));
    const after = await syncStore(local, remote.url, { pageSize: 100 });
    assert.equal(after.pulled + after.pushed, 0);
    assert.equal(after.requests, 3);
  });

  it('keeps no decisions when told not to', async () => {
    const remote = await remoteWith(150);
    const report = await syncStore(new MemoryStore(), remote.url, { pageSize: 100, decisions: false });
    assert.equal(report.pulled, 150);
    assert.equal(report.decisions.length, 0);
  });
});
