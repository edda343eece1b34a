import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflictId, type ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { halsync } from '../support/serve.js';
import { contents, newId, put } from '../support/sync.js';

describe('cli/compact: halsync compact', () => {
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

  it("names only the collections given, and takes serve's name=schema.json form", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-compact-'));
    const file = join(dir, 'store.db');
    try {
      const store = SqliteStore.open(file);
      for (const collection of ['items', 'notes']) {
        await store.apply(
          collection,
          [
            {
              itemId: newId(),
              data: null,
              deleted: true,
              fingerprint: fingerprint(null),
              updatedAt: '2020-01-01T00:00:00.000Z',
              precondition: { kind: 'none' },
            },
          ],
          { now: () => new Date('2020-01-01T00:00:00.000Z') },
        );
      }
      await store.close();
      const { code, stdout, stderr } = await halsync(['compact', '--store', `sqlite:${file}`, '--collection', 'notes=notes.schema.json']);
      expect(code, stderr).to.equal(0);
      expect(stdout).to.match(/^purged 1 tombstone recorded before \S+ \(notes 1\)\n$/);
      const after = SqliteStore.open(file);
      expect(await after.horizon('items'), 'items untouched').to.equal(0);
      await after.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('exits 1 in one line when the store cannot be opened', async () => {
    const failed = await halsync(['compact', '--store', 'mysql://localhost/x']);
    expect(failed.code).to.equal(1);
    expect(failed.stderr).to.match(/^halsync compact: cannot open store mysql:\/\/localhost\/x: .*unsupported store URL/);
    expect(failed.stderr.trim().split('\n')).to.have.length(1);
  });
});
