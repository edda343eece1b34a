import { expect } from 'chai';
import pg from 'pg';
import type { ConflictRecord } from '../../lib/protocol/conflicts.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { toStoredConflict, type ConflictRow } from '../../lib/store/conflict-rows.js';
import { conflictSql, conflictsPageSql, keepConflicts, purgeConflictsSql } from '../../lib/store/postgres-conflicts.js';
import { PostgresStore } from '../../lib/store/postgres.js';
import { requirePostgres, testSchema, type TestSchema } from '../support/postgres.js';

const version = (data: Record<string, number>) => ({ updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint(data), deleted: false, data });
const record = (n: number, decidedAt: string): ConflictRecord => ({
  conflictId: `11111111-1111-5111-8111-${String(n).padStart(12, '0')}`,
  itemId: '00000000-0000-4000-8000-000000000001',
  peer: 'http://peer.test/',
  rule: 'newer',
  winner: 'remote',
  decidedAt,
  local: version({ l: n }),
  remote: version({ r: n }),
  result: { updatedAt: '2030-01-01T00:00:00.000Z', fingerprint: fingerprint({ r: n }), deleted: false },
});

describe('store/postgres-conflicts: the conflict audit in SQL', function () {
  let schema: TestSchema | undefined;
  let client: pg.PoolClient | undefined;
  let pool: pg.Pool | undefined;
  let s = '';

  before(async function () {
    await requirePostgres(this, 'the PostgreSQL conflict audit SQL tests');
    schema = testSchema('pg_conflicts');
    // The store creates the schema and its tables; the SQL is then run on a client of our own.
    await (await PostgresStore.open(schema.url)).close();
    s = `"${schema.name}"`;
    pool = new pg.Pool({ connectionString: process.env.HALSYNC_TEST_PG });
    client = await pool.connect();
  });

  after(async () => {
    client?.release();
    await pool?.end();
    await schema?.drop();
  });

  it('keeps each record once, pages newest first, finds one by id and purges by decision time', async () => {
    const [a, b] = [record(1, '2030-01-01T00:00:00.000Z'), record(2, '2030-01-05T00:00:00.000Z')];
    expect(await keepConflicts(client!, s, 'items', [])).to.equal(0);
    expect(await keepConflicts(client!, s, 'items', [a, b])).to.equal(2);
    expect(await keepConflicts(client!, s, 'items', [a]), 'a record already kept').to.equal(0);

    const page = (await client!.query<ConflictRow>(conflictsPageSql(s), ['items', null, 10])).rows.map(toStoredConflict);
    expect(page.map((r) => r.conflictId)).to.deep.equal([b.conflictId, a.conflictId]);
    const before = (await client!.query<ConflictRow>(conflictsPageSql(s), ['items', page[0]!.position, 10])).rows;
    expect(before.map((r) => toStoredConflict(r).conflictId)).to.deep.equal([a.conflictId]);

    const found = (await client!.query<ConflictRow>(conflictSql(s), ['items', b.conflictId])).rows;
    expect(toStoredConflict(found[0]!)).to.deep.include({ conflictId: b.conflictId, decidedAt: b.decidedAt });
    expect((await client!.query(conflictSql(s), ['other', b.conflictId])).rows).to.have.length(0);

    expect((await client!.query(purgeConflictsSql(s), ['items', '2030-01-03T00:00:00.000Z'])).rows).to.have.length(1);
    expect((await client!.query(conflictSql(s), ['items', a.conflictId])).rows, 'decided before: purged').to.have.length(0);
    expect((await client!.query(conflictSql(s), ['items', b.conflictId])).rows, 'decided after: kept').to.have.length(1);
  });
});
