import { expect } from 'chai';
import { join } from 'node:path';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { storeCheckpoints, type Checkpoints } from '../../lib/client/checkpoints.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { sync, type SyncOptions } from '../../lib/client/sync.js';
import { RetriesExhausted } from '../../lib/client/errors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { Store } from '../../lib/store/store.js';
import { syncNodes } from '../../lib/client/connect.js';
import { startNode } from '../support/server.js';
import { at, contents, newId, put, remove, stateFile, versions } from '../support/sync.js';

/** The engine itself (lib/client/sync.ts) on two local stores: no HTTP, so every rule shows on its own. */
const kinds: Array<[string, () => Promise<Store>]> = [
  ['memory', async () => new MemoryStore()],
  ['SQLite', async () => SqliteStore.open(join(await mkdtemp(join(tmpdir(), 'halsync-engine-')), 'db.sqlite'))],
];

for (const [kind, open] of kinds) {
  describe(`client/sync: the engine, store ↔ store (${kind})`, () => {
    let a: Store;
    let b: Store;
    let checkpoints: Checkpoints;
    const run = (options: Partial<SyncOptions> = {}) => sync(new StoreReplica(a, 'items', 3), new StoreReplica(b, 'items', 3), { checkpoints, ...options });

    beforeEach(async () => {
      [a, b] = [await open(), await open()];
      checkpoints = storeCheckpoints(a, 'pair');
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('copies each side to the other, and a sync right after moves nothing', async () => {
      const [x, y] = [newId(), newId()];
      await put(a, x, { on: 'a' });
      await put(b, y, { on: 'b' });
      const first = await run();
      expect([first.pulled, first.pushed]).to.deep.equal([1, 1]);
      expect(await versions(a)).to.deep.equal(await versions(b));
      const second = await run();
      expect([second.pulled, second.pushed, second.decisions.length]).to.deep.equal([0, 0, 0]);
      expect(second.requests).to.equal(0);
    });

    it('an empty side pulls a long log page by page, and only then saves the pair', async () => {
      for (let i = 0; i < 10; i++) await put(b, newId(), { i });
      const steps: number[] = [];
      const report = await run({ afterStep: async (step) => void steps.push(step) });
      expect(report.pulled).to.equal(10);
      expect(steps).to.deep.equal([1, 2, 3, 4]);
      expect(await contents(a)).to.deep.equal(await contents(b));
      expect(await checkpoints.load()).to.not.equal(null);
    });

    it('carries a deletion as a tombstone, and decides a conflict by the later bucket', async () => {
      const [gone, both] = [newId(), newId()];
      await put(a, gone, { v: 1 }, at('2026-01-01T00:00:00.000Z'));
      await put(a, both, { v: 1 }, at('2026-01-01T00:00:00.000Z'));
      await run();
      await remove(b, gone);
      await put(a, both, { by: 'a' }, at('2026-01-02T00:00:00.000Z'));
      await put(b, both, { by: 'b' }, at('2026-01-02T00:00:05.000Z'));
      const report = await run();
      expect(report.deleted).to.equal(1);
      expect(report.conflicts).to.equal(1);
      expect(report.decisions.find((d) => d.itemId === both)).to.include({ winner: 'remote', rule: 'newer' });
      expect((await a.getItem('items', gone))?.deleted).to.equal(true);
      expect((await a.getItem('items', both))?.data).to.deep.equal({ by: 'b' });
      expect(await versions(a)).to.deep.equal(await versions(b));
      // The loss is in the local side's audit, with both versions.
      const audit = await a.conflicts('items', { limit: 10 });
      expect(audit.records.map((r) => r.itemId)).to.deep.equal([both]);
    });

    it('restarts from the logs when the remote changes between the plan and the push, and converges', async () => {
      const x = newId();
      await put(a, x, { v: 1 });
      await run();
      await put(a, x, { v: 2 }, at(new Date().toISOString(), 10_000));
      let once = true;
      const report = await run({
        backoffMs: 1,
        afterStep: async (step) => {
          // A write on the remote after the plan: its base no longer holds, the push is refused.
          if (step === 2 && once) {
            once = false;
            await put(b, x, { v: 'meanwhile' });
          }
        },
      });
      expect(report.retries).to.equal(1);
      expect(await versions(a)).to.deep.equal(await versions(b));
    });

    it('gives up after maxRetries with RetriesExhausted, and saves no pair', async () => {
      const x = newId();
      // Local always wins (later bucket), so every attempt pushes, and every push meets a write made after its plan.
      await put(a, x, { v: 1 }, '2030-01-01T00:00:00.000Z');
      let n = 0;
      const failing = run({ maxRetries: 2, backoffMs: 1, afterStep: async (step) => void (step === 2 && (await put(b, x, { n: n++ }))) });
      await expectRejection(failing, RetriesExhausted);
      expect(n).to.equal(3);
      expect(await checkpoints.load()).to.equal(null);
    });

    it('full resync after the remote purged a tombstone: the deleted item stays deleted here, an edit made here is still pushed (issue 12 #10)', async () => {
      const [gone, edited, same] = [newId(), newId(), newId()];
      for (const id of [gone, edited, same]) await put(a, id, { id });
      await run();
      await remove(b, gone);
      await b.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
      // Both whole logs list it and the remote's cannot say it did not change it: the later bucket decides.
      await put(a, edited, { id: edited, v: 2 }, at(new Date().toISOString(), 60_000));
      const report = await run();
      expect(report.fullResync).to.equal(true);
      expect([report.dropped, report.stale, report.pushed, report.pulled]).to.deep.equal([1, 0, 1, 0]);
      // Dropped as a removal: no tombstone, nothing in the log to sync on.
      expect(await a.getItem('items', gone)).to.equal(null);
      expect(await b.getItem('items', gone)).to.equal(null);
      expect((await b.getItem('items', edited))?.data).to.deep.equal({ id: edited, v: 2 });
      expect(await versions(a)).to.deep.equal(await versions(b));
      expect((await run()).fullResync).to.equal(false);
    });

    it('full resync: an item the remote changed and this side did not is pulled, whatever the timestamps', async () => {
      const x = newId();
      await put(a, x, { v: 1 }, '2030-01-01T00:00:00.000Z');
      await run();
      const y = newId();
      await put(b, y, { y: 1 });
      await remove(b, y);
      // The remote's edit is older by the clock than what both had; only it changed the item.
      await put(b, x, { v: 2 }, '2030-01-01T00:00:00.000Z');
      await b.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
      const report = await run();
      expect(report.fullResync).to.equal(true);
      expect((await a.getItem('items', x))?.data).to.deep.equal({ v: 2 });
    });

    it('a sync that dies after the push saves nothing, and a rerun finishes it', async () => {
      const [x, y] = [newId(), newId()];
      await put(a, x, { on: 'a' });
      await put(b, y, { on: 'b' });
      await run();
      await put(a, x, { on: 'a', v: 2 });
      await put(b, y, { on: 'b', v: 2 });
      const dying = run({
        afterStep: (step) => {
          if (step === 3) throw new Error('died');
        },
      });
      await expectRejection(dying, Error);
      expect((await b.getItem('items', x))?.data).to.deep.equal({ on: 'a', v: 2 });
      expect((await a.getItem('items', y))?.data).to.deep.equal({ on: 'b' });
      const rerun = await run();
      expect(rerun.pulled).to.equal(1);
      expect(await versions(a)).to.deep.equal(await versions(b));
    });
  });
}

async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(type);
    return error as Error;
  }
  expect.fail('expected a rejection');
}

describe('client/sync: full resync with a node playing local (issue 12 #10)', () => {
  it('keeps an item the remote forgot, reports it stale, and does not push it back', async () => {
    const [a, b] = [await startNode(), await startNode()];
    try {
      const state = await stateFile();
      const gone = newId();
      await put(a.store, gone, { v: 1 });
      await syncNodes(a.url, b.url, { state });
      await remove(b.store, gone);
      await b.store.purgeTombstones('items', '9999-01-01T00:00:00.000Z');
      const report = await syncNodes(a.url, b.url, { state });
      expect([report.fullResync, report.stale, report.dropped, report.pushed]).to.deep.equal([true, 1, 0, 0]);
      expect((await a.store.getItem('items', gone))?.data).to.deep.equal({ v: 1 });
      expect(await b.store.getItem('items', gone)).to.equal(null);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('client/sync: the pull made ready during the push (a node playing local)', () => {
  it('applies the prepared pull once the push succeeded, and a refused push applies nothing of it', async () => {
    const [a, b] = [await startNode(), await startNode()];
    try {
      const state = await stateFile();
      const [mine, theirs] = [newId(), newId()];
      await put(a.store, mine, { on: 'a' });
      await put(b.store, theirs, { on: 'b' });
      await syncNodes(a.url, b.url, { state });
      // Both sides change; between the plan and the push, B changes the item A is about to push.
      await put(a.store, mine, { on: 'a', v: 2 });
      await put(b.store, theirs, { on: 'b', v: 2 });
      const localHighWater = await a.store.highWater();
      let raced = false;
      const seenHighWater: number[] = [];
      const report = await syncNodes(a.url, b.url, {
        state,
        backoffMs: 1,
        afterStep: async (step) => {
          if (step === 2 && !raced) {
            raced = true;
            await put(b.store, mine, { on: 'b, racing' });
          }
          // After the refused push, nothing of the first attempt's pull reached A.
          if (step === 1) seenHighWater.push(await a.store.highWater());
        },
      });
      expect(report.retries).to.equal(1);
      expect(seenHighWater).to.deep.equal([localHighWater, localHighWater]);
      expect(await versions(a.store)).to.deep.equal(await versions(b.store));
      expect((await a.store.getItem('items', theirs))?.data).to.deep.equal({ on: 'b', v: 2 });
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
