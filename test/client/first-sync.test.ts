import { expect } from 'chai';
import { expectRejection } from '../support/expect.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { GotTransport } from '../../lib/client/transport-got.js';
import type { Transport } from '../../lib/client/transport.js';
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
    expect(first.pulled).to.equal(250);
    expect(pages).to.deep.equal([100, 200, 250]);
    // Root, collection, three log pages.
    expect(first.requests).to.equal(5);
    expect(first.decisions.length).to.equal(250);
    expect(await versions(local)).to.deep.equal(await versions(remote.store));
    const second = await syncStore(local, remote.url, { pageSize: 100 });
    expect(second.pulled + second.pushed).to.equal(0);
    expect(second.requests).to.equal(3);
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
    expect(next.pushed >= 1).to.be.ok;
    expect((await remote.store.getItem('items', written))?.data).to.deep.equal({ by: 'local, during the pull' });
    expect(await versions(local)).to.deep.equal(await versions(remote.store));
    const after = await syncStore(local, remote.url, { pageSize: 100 });
    expect(after.pulled + after.pushed).to.equal(0);
  });

  it('dies after a page, and a rerun ends where an uninterrupted sync would, moving only the rest', async () => {
    const remote = await remoteWith(250);
    const local: Store = new MemoryStore();
    await expectRejection(
      syncStore(local, remote.url, {
        pageSize: 100,
        onProgress: (p) => {
          if (p.step === 4) throw new Error('killed');
        },
      }),
      Error,
      { message: /killed/ },
    );
    const rerun = await syncStore(local, remote.url, { pageSize: 100 });
    expect(rerun.pulled).to.equal(150);
    expect(rerun.pushed).to.equal(0);
    expect(await versions(local)).to.deep.equal(await versions(remote.store));
    const after = await syncStore(local, remote.url, { pageSize: 100 });
    expect(after.pulled + after.pushed).to.equal(0);
    expect(after.requests).to.equal(3);
  });

  it('applies the first page while the next is read, when the page links a next one (it need not wait to see whether the log is one page)', async () => {
    const remote = await remoteWith(250);
    const events: string[] = [];
    let firstApplied!: () => void;
    const applied = new Promise<void>((resolve) => (firstApplied = resolve));
    const inner = new GotTransport({ concurrency: 4 });
    // Page 2 is answered only once page 1 is applied, or after a second: whichever comes first.
    const transport: Transport = {
      get stats() {
        return inner.stats;
      },
      gzip: (body) => inner.gzip(body),
      close: () => inner.close(),
      async send(request) {
        if (request.url.includes('cursor=')) await Promise.race([applied, new Promise((resolve) => setTimeout(resolve, 1000))]);
        const response = await inner.send(request);
        if (request.url.includes('/transactions')) events.push(`log page answered`);
        return response;
      },
    };
    const report = await syncStore(new MemoryStore(), remote.url, {
      pageSize: 100,
      transport,
      onProgress: (p) => {
        if (p.step !== 4) return;
        events.push(`${p.done} applied`);
        firstApplied();
      },
    });
    expect(report.pulled).to.equal(250);
    expect(events).to.deep.equal(['log page answered', '100 applied', 'log page answered', '200 applied', 'log page answered', '250 applied']);
  });

  it("stages each page's sync log while the one before is applied, and never applies two at once (node↔node)", async () => {
    const remote = await remoteWith(350);
    const local = await startNode();
    nodes.push(local);
    const dir = await mkdtemp(join(tmpdir(), 'halsync-first-sync-'));
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    const inner = new GotTransport({ concurrency: 4 });
    const transport: Transport = {
      get stats() {
        return inner.stats;
      },
      gzip: (body) => inner.gzip(body),
      gzipStream: () => (events.push('staged'), inner.gzipStream()),
      close: () => inner.close(),
      async send(request) {
        if (request.method !== 'PUT') return inner.send(request);
        most = Math.max(most, ++inFlight);
        try {
          const response = await inner.send(request);
          // Answered late: the next page has long arrived, and is staged meanwhile.
          await new Promise((resolve) => setTimeout(resolve, 50));
          return response;
        } finally {
          inFlight--;
          events.push('answered');
        }
      },
    };
    try {
      const report = await syncNodes(local.url, remote.url, { state: join(dir, 'state.json'), pageSize: 100, transport });
      expect(report.pulled).to.equal(350);
      expect(await versions(local.store)).to.deep.equal(await versions(remote.store));
      expect(most).to.equal(1);
      expect(events).to.deep.equal(['staged', 'staged', 'answered', 'staged', 'answered', 'staged', 'answered', 'answered']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps no decisions when told not to', async () => {
    const remote = await remoteWith(150);
    const report = await syncStore(new MemoryStore(), remote.url, { pageSize: 100, decisions: false });
    expect(report.pulled).to.equal(150);
    expect(report.decisions.length).to.equal(0);
  });
});
