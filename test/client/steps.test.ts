import { expect } from 'chai';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { emptyReport } from '../../lib/client/report.js';
import type { LogPage, Replica, ReplicaEntry } from '../../lib/client/replica.js';
import { StoreReplica } from '../../lib/client/store-replica.js';
import { applyTo, fetchData, readLog, readLogs, Restart } from '../../lib/client/steps.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { newId, put } from '../support/sync.js';

/** The I/O of the four steps (lib/client/steps.ts), on a local store and on a scripted replica. */
const v = (itemId: string, data: unknown, ms = 0): ReplicaEntry => ({
  itemId,
  updatedAt: new Date(Date.UTC(2026, 0, 1) + ms).toISOString(),
  fingerprint: fingerprint(data as never),
  deleted: false,
});

function scripted(pages: LogPage[], data: Map<string, unknown> = new Map()): Replica {
  return {
    collection: 'items',
    description: 'scripted',
    peer: 'scripted',
    async *changes() {
      yield* pages;
    },
    async data(entries) {
      return new Map(
        entries.flatMap((e) => (data.has(e.itemId) ? [[e.itemId, { ...v(e.itemId, data.get(e.itemId)), data: data.get(e.itemId) as never }] as const] : [])),
      );
    },
    async apply() {
      return { ok: false, conflicts: [] };
    },
  };
}

describe('client/steps', () => {
  it("reads a log into one entry per item, the latest change winning, and the last page's checkpoint", async () => {
    const [a, b] = [newId(), newId()];
    const log = await readLog(
      scripted([
        { entries: [v(a, 1), v(b, 1)], checkpoint: 'p1', restarted: false },
        { entries: [v(a, 2)], checkpoint: 'p2', restarted: false },
      ]),
      null,
    );
    expect([...log.entries.keys()]).to.deep.equal([b, a]);
    expect(log.entries.get(a)!.fingerprint).to.equal(fingerprint(2));
    expect([log.checkpoint, log.restarted]).to.deep.equal(['p2', false]);
  });

  it('forgets earlier pages when the log restarts from its start', async () => {
    const [a, b] = [newId(), newId()];
    const log = await readLog(
      scripted([
        { entries: [v(a, 1)], checkpoint: 'p1', restarted: false },
        { entries: [v(b, 1)], checkpoint: 'p2', restarted: true },
      ]),
      'old',
    );
    expect([...log.entries.keys()]).to.deep.equal([b]);
    expect(log.restarted).to.equal(true);
  });

  it("reads the other side's whole log too when one side's checkpoint expired", async () => {
    const store = new MemoryStore();
    const a = newId();
    await put(store, a, { a: 1 });
    const local = new StoreReplica(store, 'items');
    const half = await local.changes(null)[Symbol.asyncIterator]().next();
    const remote = scripted([{ entries: [], checkpoint: 'r', restarted: true }]);
    const logs = await readLogs(local, remote, { local: (half.value as LogPage).checkpoint, remote: 'expired' });
    expect(logs.fullResync).to.equal(true);
    expect([...logs.local.entries.keys()]).to.deep.equal([a]);
  });

  it('takes data from the entries when they carry it, fetches the rest, and restarts when a fetched version moved', async () => {
    const [a, b] = [newId(), newId()];
    const replica = scripted([], new Map([[b, { b: 1 }]]));
    const found = await fetchData(replica, [{ ...v(a, { a: 1 }), data: { a: 1 } }, v(b, { b: 1 })]);
    expect(found.get(a)!.data).to.deep.equal({ a: 1 });
    expect(found.get(b)!.data).to.deep.equal({ b: 1 });
    const moved = await fetchData(replica, [v(b, { b: 'what the log said' })]).catch((e: unknown) => e);
    expect(moved).to.be.instanceOf(Restart);
  });

  it('sends nothing for nothing to apply, and restarts when an apply is refused', async () => {
    const replica = scripted([]);
    const report = emptyReport();
    expect(await applyTo(replica, 'since', [], report, 'pushed')).to.equal('since');
    const refused = await applyTo(replica, 'since', [{ ...v(newId(), 1), data: 1 }], report, 'pushed').catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(Restart);
    expect(report.pushed).to.equal(0);
  });
});

describe('client/steps: memory of a long log', function () {
  this.timeout(60_000);

  it('holds one entry per item however many pages list them (issue 12 #7)', async () => {
    // A collectable heap measurement needs gc(); V8 hands it out once asked by flag.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const items = Array.from({ length: 50 }, () => newId());
    const PAGES = 20_000;
    const prints = items.map((id) => fingerprint(id));
    const replica: Replica = {
      ...scripted([]),
      async *changes() {
        // Every page re-lists the same 50 items with new versions: 1,000,000 entries in all.
        for (let p = 0; p < PAGES; p++) {
          const updatedAt = new Date(Date.UTC(2026, 0, 1) + p).toISOString();
          yield { entries: items.map((itemId, i) => ({ itemId, updatedAt, fingerprint: prints[i]!, deleted: false })), checkpoint: `c${p}`, restarted: false };
        }
      },
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    const log = await readLog(replica, null);
    gc();
    const grown = process.memoryUsage().heapUsed - before;
    expect(log.entries.size).to.equal(50);
    expect(log.checkpoint).to.equal(`c${PAGES - 1}`);
    // Holding the pages would take well over 100 MB; the read holds 50 entries.
    expect(grown).to.be.below(10 * 1024 * 1024);
  });
});
