import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { StoreUnavailable as FromErrors } from '../../lib/store/errors.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { PostgresStore } from '../../lib/store/postgres.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { StoreUnavailable, type Store, type Write } from '../../lib/store/store.js';
import { requirePostgres, testSchema } from '../support/postgres.js';

/**
 * The Store interface (lib/store/store.ts, DESIGN §4): one interface, several implementations.
 * Each runs the conformance suite on its own (test/store/conformance.ts); this holds them to one
 * another: the same writes give every store the same items, the same log and the same refusals,
 * whatever its cursors look like inside.
 */
const write = (itemId: string, data: Json | null, precondition: Write['precondition'] = { kind: 'none' }): Write => ({
  itemId,
  data,
  deleted: data === null,
  fingerprint: fingerprint(data),
  updatedAt: '2026-01-01T00:00:00.000Z',
  precondition,
});
const [A, B, C] = ['00000000-0000-4000-8000-00000000000a', '00000000-0000-4000-8000-00000000000b', '00000000-0000-4000-8000-00000000000c'];

/** What a store shows after one fixed history, without its opaque parts (seqs, times, cursors). */
async function afterHistory(store: Store): Promise<unknown> {
  const outcomes = [];
  outcomes.push(await store.apply('items', [write(A, { v: 1 }), write(B, { z: 1, a: [1, 'x'] })]));
  outcomes.push(await store.apply('items', [write(A, { v: 2 }, { kind: 'base', fingerprint: fingerprint({ v: 1 }) }), write(C, null)]));
  // Refused whole: B's base is stale, so A's write does not land either.
  outcomes.push(await store.apply('items', [write(A, { v: 3 }), write(B, { b: 2 }, { kind: 'base', fingerprint: fingerprint({ v: 9 }) })]));
  const page = await store.changes('items', { limit: 10, withData: true });
  return {
    outcomes: outcomes.map((o) => (o.ok ? { ok: true, applied: o.applied } : { ok: false, mismatches: o.mismatches.map((m) => m.itemId) })),
    log: page.entries.map((e) => ({ itemId: e.itemId, fingerprint: e.fingerprint, deleted: e.deleted, data: e.data })),
    items: (await store.getItems('items', [C, A, B])).map((i) => [i.itemId, i.data]),
    collections: await store.collections(),
  };
}

describe('store/store: one interface, every implementation alike', function () {
  let dir: string;
  const opened: Store[] = [];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'halsync-store-'));
  });
  after(async () => {
    for (const store of opened) await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('re-exports the store errors it names, the same classes', () => {
    expect(StoreUnavailable).to.equal(FromErrors);
  });

  it('gives memory and SQLite the same items, log and refusals after the same writes', async () => {
    const memory = new MemoryStore();
    const sqlite = SqliteStore.open(join(dir, 'a.db'));
    opened.push(memory, sqlite);
    const expected = await afterHistory(memory);
    expect(await afterHistory(sqlite)).to.deep.equal(expected);
    expect((expected as { log: unknown[] }).log).to.have.length(3);
  });

  describe('PostgreSQL', function () {
    const schema = testSchema('interface');
    before(async function () {
      await requirePostgres(this, 'the cross-store test on PostgreSQL');
    });
    after(() => schema.drop());

    it('gives PostgreSQL the same too', async () => {
      const postgres = await PostgresStore.open(schema.url);
      try {
        expect(await afterHistory(postgres)).to.deep.equal(await afterHistory(new MemoryStore()));
      } finally {
        await postgres.close();
      }
    });
  });
});
