import { expect } from 'chai';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { expectRejection } from '../support/expect.js';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { RetriesExhausted } from '../../lib/client/errors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { startNode, type StartedNode } from '../support/server.js';
import { at, contents, newId, put, remove, stateFile, versions } from '../support/sync.js';

describe('client/sync', () => {
  const nodes: StartedNode[] = [];
  const node = async (options: Parameters<typeof startNode>[0] = {}) => {
    const started = await startNode(options);
    nodes.push(started);
    return started;
  };
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.close()));
  });

  describe('store ↔ node', () => {
    it('converges both ways, then a second sync moves nothing and fetches no item', async () => {
      const remote = await node();
      const local = new MemoryStore();
      const [a, b, c] = [newId(), newId(), newId()];
      await put(local, a, { title: 'local a' });
      await put(remote.store, b, { title: 'remote b' });
      await put(remote.store, c, { title: 'remote c' });

      const first = await syncStore(local, remote.url);
      expect(first.pushed).to.equal(1);
      expect(first.pulled).to.equal(2);
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
      expect(Object.keys(await contents(local)).length).to.equal(3);

      const second = await syncStore(local, remote.url);
      expect(second.pulled).to.equal(0);
      expect(second.pushed).to.equal(0);
      // Root, collection, one log page: no item body, no PUT.
      expect(second.requests).to.equal(3);
      expect(second.bytes > 0).to.be.ok;
      expect(second.decisions.length).to.equal(0);
    });

    it('fetches items by itemURI when the log is not asked to embed data', async () => {
      const remote = await node();
      const local = new MemoryStore();
      for (let i = 0; i < 5; i++) await put(remote.store, newId(), { i });
      const report = await syncStore(local, remote.url, { embed: false, concurrency: 2 });
      expect(report.pulled).to.equal(5);
      expect(report.requests).to.equal(3 + 5);
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });

    it('syncs deletes both ways as tombstones', async () => {
      const remote = await node();
      const local = new MemoryStore();
      const [a, b] = [newId(), newId()];
      await put(local, a, { n: 1 });
      await put(local, b, { n: 2 });
      await syncStore(local, remote.url);
      await remove(remote.store, a);
      await remove(local, b);
      const report = await syncStore(local, remote.url);
      expect(report.pulled).to.equal(1);
      expect(report.pushed).to.equal(1);
      expect(report.deleted).to.equal(2);
      expect(await contents(local)).to.deep.equal({ [a]: null, [b]: null });
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });
  });

  describe('conflict rules (both sides changed an item)', () => {
    const base = '2026-03-01T10:00:00.000Z';
    async function conflicted(localMs: number, remoteMs: number) {
      const remote = await node();
      const local = new MemoryStore();
      const id = newId();
      await put(local, id, { v: 'base', tags: ['x'] }, base);
      await syncStore(local, remote.url);
      await put(local, id, { v: 'local', tags: ['l'] }, at(base, 60_000 + localMs));
      await put(remote.store, id, { v: 'remote', tags: ['r'] }, at(base, 60_000 + remoteMs));
      return { remote, local, id };
    }

    it('lets the newer updatedAt win', async () => {
      const { remote, local, id } = await conflicted(5000, 0);
      const report = await syncStore(local, remote.url);
      expect(report.decisions.map((d) => [d.itemId, d.winner, d.rule])).to.deep.equal([[id, 'local', 'newer']]);
      expect(report.conflicts).to.equal(1);
      expect((await contents(remote.store))[id]).to.deep.equal({ v: 'local', tags: ['l'] });
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });

    it('lets the greater fingerprint win inside one skew bucket by default', async () => {
      const { remote, local } = await conflicted(300, 0);
      const [l, r] = [fingerprint({ v: 'local', tags: ['l'] }), fingerprint({ v: 'remote', tags: ['r'] })];
      const report = await syncStore(local, remote.url);
      expect(report.decisions.map((d) => [d.winner, d.rule])).to.deep.equal([[l > r ? 'local' : 'remote', 'fingerprint']]);
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });

    it('prefers the remote inside the skew bucket when told', async () => {
      const { remote, local, id } = await conflicted(300, 0);
      const report = await syncStore(local, remote.url, { prefer: 'remote' });
      expect(report.decisions.map((d) => [d.winner, d.rule])).to.deep.equal([['remote', 'prefer-remote']]);
      expect((await contents(local))[id]).to.deep.equal({ v: 'remote', tags: ['r'] });
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });

    it('prefers the local side inside the skew window when told', async () => {
      const { remote, local, id } = await conflicted(0, 300);
      const report = await syncStore(local, remote.url, { prefer: 'local' });
      expect(report.decisions.map((d) => [d.winner, d.rule])).to.deep.equal([['local', 'prefer-local']]);
      expect((await contents(remote.store))[id]).to.deep.equal({ v: 'local', tags: ['l'] });
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
    });

    it('lets a resolver merge inside the skew window, and the merge reaches both sides', async () => {
      const { remote, local, id } = await conflicted(0, 300);
      const report = await syncStore(local, remote.url, {
        resolve: (l, r) => {
          const tags = (d: typeof l.data) => (d && typeof d === 'object' && !Array.isArray(d) && Array.isArray(d.tags) ? d.tags : []);
          return { data: { v: 'merged', tags: [...tags(l.data), ...tags(r.data)] } };
        },
      });
      expect(report.decisions.map((d) => [d.winner, d.rule])).to.deep.equal([['merged', 'resolve']]);
      expect(report.pushed).to.equal(1);
      expect(report.pulled).to.equal(1);
      expect((await contents(local))[id]).to.deep.equal({ v: 'merged', tags: ['l', 'r'] });
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
      const again = await syncStore(local, remote.url);
      expect(again.pulled + again.pushed).to.equal(0);
    });

    it('lets a newer delete win over an older edit', async () => {
      const { remote, local, id } = await conflicted(0, 0);
      await remove(remote.store, id, at(base, 120_000));
      const report = await syncStore(local, remote.url);
      expect(report.deleted).to.equal(1);
      expect((await contents(local))[id]).to.equal(null);
    });
  });

  describe('node ↔ node', () => {
    it('converges two nodes, keeping checkpoints in the state file', async () => {
      const [a, b] = [await node(), await node()];
      const state = await stateFile();
      await put(a.store, newId(), { on: 'a' });
      await put(b.store, newId(), { on: 'b' });
      const report = await syncNodes(a.url, b.url, { state });
      expect(report.pushed).to.equal(1);
      expect(report.pulled).to.equal(1);
      expect(await versions(a.store)).to.deep.equal(await versions(b.store));
      const again = await syncNodes(a.url, b.url, { state });
      expect(again.pulled + again.pushed).to.equal(0);
      expect(again.requests).to.equal(2 + 2 + 2);
    });

    it('shares one checkpoint pair whichever node plays local', async () => {
      const [a, b] = [await node(), await node()];
      const state = await stateFile();
      const x = newId();
      await put(a.store, x, { v: 1 }, '2001-01-01T00:00:03.200Z');
      await put(b.store, x, { v: 1 }, '2001-01-01T00:00:00.000Z');
      await syncNodes(a.url, b.url, { state });
      // B edits with an old clock: only B lists the item since the pair last agreed, so B's edit must win.
      await put(b.store, x, { v: 2 }, '2001-01-01T00:00:00.000Z');
      const swapped = await syncNodes(b.url, a.url, { state });
      expect(swapped.decisions.map((d) => d.rule)).to.deep.equal(['one-side']);
      expect((await contents(a.store))[x]).to.deep.equal({ v: 2 });
      expect(await versions(a.store)).to.deep.equal(await versions(b.store));
    });

    it('converges three nodes: A↔B, B↔C, A↔B', async () => {
      const [a, b, c] = [await node(), await node(), await node()];
      const state = await stateFile();
      for (const n of [a, b, c]) for (let i = 0; i < 3; i++) await put(n.store, newId(), { i });
      await syncNodes(a.url, b.url, { state });
      await syncNodes(b.url, c.url, { state });
      await syncNodes(a.url, b.url, { state });
      const expected = await versions(a.store);
      expect(Object.keys(expected).length).to.equal(9);
      expect(await versions(b.store)).to.deep.equal(expected);
      expect(await versions(c.store)).to.deep.equal(expected);
    });

    it('carries a change with an old updatedAt along A → B → C', async () => {
      const [a, b, c] = [await node(), await node(), await node()];
      const state = await stateFile();
      await put(c.store, newId(), { seed: true });
      await syncNodes(b.url, c.url, { state });
      // Arrives on A long after B and C last agreed, but with a timestamp far in the past.
      const old = newId();
      await put(a.store, old, { old: true }, '2001-01-01T00:00:00.000Z');
      await syncNodes(a.url, b.url, { state });
      await syncNodes(b.url, c.url, { state });
      expect((await contents(c.store))[old]).to.deep.equal({ old: true });
      expect(await versions(c.store)).to.deep.equal(await versions(b.store));
    });

    it('finds everything by links on a node whose every path is renamed', async () => {
      const paths = {
        root: '/api/v2/',
        collection: '/api/v2/c/{collection}',
        transactions: '/feeds/{collection}/log',
        item: '/api/v2/c/{collection}/{itemId}',
        job: '/api/v2/jobs/{jobId}',
        rel: '/api/v2/rels/{rel}',
        schema: '/api/v2/schemas/{collection}',
        openapi: '/api/v2/openapi',
      };
      const [a, b] = [await node(), await node({ paths })];
      expect(b.url.endsWith('/api/v2/')).to.be.ok;
      for (let i = 0; i < 3; i++) await put(b.store, newId(), { i });
      await put(a.store, newId(), { from: 'a' });
      await syncNodes(a.url, b.url, { state: await stateFile(), embed: false, respondAsync: true });
      expect(await versions(a.store)).to.deep.equal(await versions(b.store));
      const local = new MemoryStore();
      await syncStore(local, b.url);
      expect(await versions(local)).to.deep.equal(await versions(b.store));
    });
  });

  describe('interruptions and concurrent writers', () => {
    /** A local edit pushed while a writer changes the same item on the remote during the first attempt's Step 2. */
    async function raceOnce(respondAsync: boolean) {
      const remote = await node();
      const local = new MemoryStore();
      const id = newId();
      await put(local, id, { by: 'local' });
      let writes = 0;
      const report = await syncStore(local, remote.url, {
        respondAsync,
        backoffMs: 1,
        // Both writes fall in one skew bucket: the remote's must win for the assertion below.
        prefer: 'remote',
        afterStep: async (step) => {
          if (step === 2 && writes++ === 0) await put(remote.store, id, { by: 'concurrent writer' });
        },
      });
      expect(report.retries).to.equal(1);
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
      expect((await contents(local))[id]).to.deep.equal({ by: 'concurrent writer' });
    }

    it('restarts from Step 1 when a concurrent write makes the push conflict (409)', async () => {
      await raceOnce(false);
    });

    it('gives up with a typed error when the retry bound is hit', async () => {
      const remote = await node();
      const local = new MemoryStore();
      const id = newId();
      await put(local, id, { by: 'local' });
      let n = 0;
      await expectRejection(
        syncStore(local, remote.url, {
          maxRetries: 2,
          backoffMs: 1,
          // A writer on both sides during every attempt: whichever way the item moves, its base is stale.
          afterStep: async (step) => {
            if (step !== 2) return;
            await put(remote.store, id, { n: n++ });
            await put(local, id, { n: n++ });
          },
        }),
        RetriesExhausted,
        { attempts: 3 },
      );
    });

    it('applies a push through a 202 job (Prefer: respond-async)', async () => {
      const remote = await node();
      const local = new MemoryStore();
      for (let i = 0; i < 3; i++) await put(local, newId(), { i });
      const report = await syncStore(local, remote.url, { respondAsync: true });
      expect(report.pushed).to.equal(3);
      // Root, collection, log, PUT answered 202, and at least one poll of the job.
      expect(report.requests >= 5, `requests: ${report.requests}`).to.be.ok;
      expect(await versions(local)).to.deep.equal(await versions(remote.store));
      expect((await syncStore(local, remote.url)).requests).to.equal(3);
    });

    it('turns a job that failed with 409 into a restart', async () => {
      await raceOnce(true);
    });

    it('ends in the same state when killed between Step 3 and Step 4 and run again', async () => {
      const setUp = async () => {
        const remote = await node();
        const local = new MemoryStore();
        await put(local, '00000000-0000-4000-8000-00000000aaa1', { side: 'local' }, '2026-01-01T00:00:00.000Z');
        await put(remote.store, '00000000-0000-4000-8000-00000000aaa2', { side: 'remote' }, '2026-01-01T00:00:00.000Z');
        return { remote, local };
      };
      const clean = await setUp();
      await syncStore(clean.local, clean.remote.url);

      const killed = await setUp();
      await expectRejection(
        syncStore(killed.local, killed.remote.url, {
          afterStep: (step) => {
            if (step === 3) throw new Error('killed');
          },
        }),
        Error,
        { message: /killed/ },
      );
      expect(await contents(killed.local)).to.deep.equal({ '00000000-0000-4000-8000-00000000aaa1': { side: 'local' } });
      const rerun = await syncStore(killed.local, killed.remote.url);
      expect(rerun.pushed).to.equal(0);
      expect(rerun.pulled).to.equal(1);
      expect(await versions(killed.local)).to.deep.equal(await versions(clean.local));
      expect(await versions(killed.remote.store)).to.deep.equal(await versions(clean.remote.store));
      expect((await syncStore(killed.local, killed.remote.url)).requests).to.equal(3);
    });

    it('runs a full resync when the saved cursor has expired', async () => {
      const remote = await node();
      const local = new MemoryStore();
      const [a, b] = [newId(), newId()];
      await put(remote.store, a, { a: 1 });
      await put(remote.store, b, { b: 1 });
      await syncStore(local, remote.url);
      await remove(remote.store, a);
      await put(remote.store, b, { b: 2 });
      await remote.store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
      const report = await syncStore(local, remote.url);
      expect(report.fullResync).to.equal(true);
      expect((await contents(local))[b]).to.deep.equal({ b: 2 });
    });
  });
});
