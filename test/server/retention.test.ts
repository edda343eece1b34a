import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncStore } from '../../lib/client/connect.js';
import { conflictId, type ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { parseDuration } from '../../lib/protocol/duration.js';
import { purgeExpired } from '../../lib/server/retention.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { halsync } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, put, versions } from '../support/sync.js';
import { until } from '../support/until.js';

const DAY = 86_400_000;

describe('server/retention: tombstone purge', () => {
  let node: StartedNode;
  let now: Date;
  beforeEach(async () => {
    now = new Date('2030-01-01T00:00:00.000Z');
    node = await startNode({ clock: () => now, tombstoneRetentionMs: 30 * DAY, purgeIntervalMs: 10 });
  });
  afterEach(async () => node.close());

  const item = (itemId: string) => `${node.url}items/${itemId}`;

  it('purges tombstones older than the retention, periodically; an older cursor then answers 410 cursor-expired', async () => {
    const [gone, kept] = [newId(), newId()];
    await request(item(gone), { method: 'PUT', body: { data: { v: 1 } } });
    const before = (await request(`${node.url}items/transactions`)).json.checkpoint;
    expect((await request(item(gone), { method: 'DELETE' })).status).to.equal(204);
    await request(item(kept), { method: 'PUT', body: { data: { v: 1 } } });

    now = new Date(now.getTime() + 29 * DAY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await request(`${node.url}items/transactions?cursor=${before}`)).status, 'not yet: the tombstone is 29 days old').to.equal(200);

    now = new Date(now.getTime() + 2 * DAY);
    await until(async () => (await node.store.horizon('items')) > 0, { message: 'the periodic purge ran' });
    expectProblem(await request(`${node.url}items/transactions?cursor=${before}`), 410, 'cursor-expired');
    const whole = await request(`${node.url}items/transactions`);
    expect(whole.json._embedded['sync:entry'].map((e: { itemId: string }) => e.itemId)).to.deep.equal([kept]);
    expect((await request(item(gone))).status).to.equal(404);
  });

  it('a stale client resyncs in full, reports it, and drops the purged item it still holds (DESIGN §3)', async () => {
    const [deleted, edited] = [newId(), newId()];
    await request(item(deleted), { method: 'PUT', body: { data: { doomed: true } } });
    await request(item(edited), { method: 'PUT', body: { data: { v: 1 } } });
    const stale = new MemoryStore();
    // A second client that saw the deletion before the purge.
    const fresh = new MemoryStore();
    expect((await syncStore(stale, node.url)).pulled).to.equal(2);
    await syncStore(fresh, node.url);

    await request(item(deleted), { method: 'DELETE' });
    await request(item(edited), { method: 'PUT', body: { data: { v: 2 } } });
    await syncStore(fresh, node.url);
    expect((await contents(fresh))[deleted], 'the fresh client holds the tombstone').to.deep.equal(null);
    now = new Date(now.getTime() + 31 * DAY);
    await until(async () => (await node.store.horizon('items')) > 0, { message: 'the periodic purge ran' });

    const report = await syncStore(stale, node.url);
    expect(report.fullResync).to.equal(true);
    // The stale client had not changed the item since its checkpoint: the node forgot it, so
    // it is dropped here as a removal instead of coming back there; the later edit arrives.
    expect(report.dropped).to.equal(1);
    expect((await contents(stale))[edited]).to.deep.equal({ v: 2 });
    expect(await contents(stale)).to.not.have.property(deleted);
    expect(await contents(node.store)).to.not.have.property(deleted);
    expect(await versions(stale)).to.deep.equal(await versions(node.store));
    expect((await request(item(deleted))).status).to.equal(404);

    // The client that synced the deletion before the purge keeps its tombstone; nothing comes back.
    const again = await syncStore(fresh, node.url);
    expect(again.fullResync).to.equal(false);
    expect((await contents(fresh))[deleted]).to.deep.equal(null);
  });
});

describe('server/retention: halsync compact', () => {
  it('purges expired tombstones of every collection of a store once and prints the counts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-compact-'));
    const file = join(dir, 'store.db');
    try {
      const store = SqliteStore.open(file);
      const [old, recent, alive] = [newId(), newId(), newId()];
      const tombstone = (itemId: string, at: string, collection = 'items') =>
        store.apply(collection, [{ itemId, data: null, deleted: true, fingerprint: fingerprint(null), updatedAt: at, precondition: { kind: 'none' } }], {
          now: () => new Date(at),
        });
      await tombstone(old, '2020-01-01T00:00:00.000Z');
      await tombstone(recent, new Date().toISOString());
      await tombstone(newId(), '2020-01-01T00:00:00.000Z', 'notes');
      await put(store, alive, { v: 1 });
      await store.close();

      const { code, stdout, stderr } = await halsync(['compact', '--store', `sqlite:${file}`, '--retention', '7d']);
      expect(code, stderr).to.equal(0);
      expect(stdout).to.match(/^purged 2 tombstones recorded before \S+ \(items 1, notes 1\)\n$/);

      const after = SqliteStore.open(file);
      expect(Object.keys(await contents(after)).sort()).to.deep.equal([recent, alive].sort());
      expect(await contents(after, 'notes')).to.deep.equal({});
      await after.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('with --conflict-retention, purges conflict records decided longer ago too', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-compact-'));
    const file = join(dir, 'store.db');
    try {
      const store = SqliteStore.open(file);
      const side = (n: number) => ({ updatedAt: '2020-01-01T00:00:00.000Z', fingerprint: fingerprint({ n }), deleted: false, data: { n } });
      const decision = (decidedAt: string, n: number): ConflictRecord => {
        const body = {
          itemId: newId(),
          peer: 'http://127.0.0.1:9/',
          rule: 'prefer-remote' as const,
          winner: 'remote' as const,
          local: side(n),
          remote: side(n + 1),
          result: { updatedAt: '2020-01-01T00:00:00.000Z', fingerprint: fingerprint({ n: n + 1 }), deleted: false },
        };
        return { conflictId: conflictId('notes', body), ...body, decidedAt };
      };
      const [old, recent] = [decision('2020-01-01T00:00:00.000Z', 1), decision(new Date().toISOString(), 3)];
      await store.recordConflicts('notes', [old, recent]);
      await store.close();

      const { code, stdout, stderr } = await halsync(['compact', '--store', `sqlite:${file}`, '--conflict-retention', '7d']);
      expect(code, stderr).to.equal(0);
      expect(stdout).to.match(/^purged 0 tombstones recorded before \S+ \(notes 0\)\npurged 1 conflict record decided before \S+ \(notes 1\)\n$/);
      const after = SqliteStore.open(file);
      expect((await after.conflicts('notes', { limit: 10 })).records.map((r) => r.conflictId)).to.deep.equal([recent.conflictId]);
      await after.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses a retention that is not a duration, in one line', async () => {
    const failed = await halsync(['compact', '--store', 'memory:', '--retention', 'soon']);
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.match(/"soon" is not a duration/);
  });

  it('purgeExpired purges each named collection and parseDuration reads the usual units', async () => {
    expect(parseDuration('30d')).to.equal(30 * DAY);
    expect(parseDuration('12h')).to.equal(12 * 3_600_000);
    expect(parseDuration('90s')).to.equal(90_000);
    expect(parseDuration('250ms')).to.equal(250);
    expect(parseDuration('2w')).to.equal(14 * DAY);
    for (const bad of ['', '0d', '-1d', '3 days', 'd']) expect(() => parseDuration(bad), bad).to.throw(/not a duration/);
    const store = new MemoryStore();
    const at = () => new Date('2030-01-01T00:00:00.000Z');
    for (const collection of ['items', 'notes']) {
      await store.apply(
        collection,
        [{ itemId: newId(), data: null, deleted: true, fingerprint: fingerprint(null), updatedAt: at().toISOString(), precondition: { kind: 'none' } }],
        { now: at },
      );
    }
    const counts = await purgeExpired(store, ['items', 'notes'], DAY, new Date('2030-01-03T00:00:00.000Z'));
    expect([...counts]).to.deep.equal([
      ['items', 1],
      ['notes', 1],
    ]);
  });
});
