import { expect } from 'chai';
import type pg from 'pg';
import { createSchema, inTransaction, joinSql, openPool, placementsSql, SCHEMA_VERSION } from '../../lib/store/postgres-schema.js';
import { requirePostgres, testSchema, type TestSchema } from '../support/postgres.js';

/** The PostgreSQL tables and statements (lib/store/postgres-schema.ts) on a schema of their own; the store over them: test/store/postgres.test.ts. */
describe('store/postgres-schema', function () {
  let pool: pg.Pool;
  let schema: TestSchema;
  let s: string;
  before(async function () {
    await requirePostgres(this, 'the PostgreSQL schema tests');
  });
  beforeEach(() => {
    schema = testSchema();
    s = `"${schema.name}"`;
    pool = openPool(process.env.HALSYNC_TEST_PG!);
  });
  afterEach(async () => {
    await pool?.end();
    await schema?.drop();
  });

  it('creates the schema once: two racing opens get the same store id, and the version is current', async () => {
    const ids = await Promise.all([createSchema(pool, schema.name, s), createSchema(pool, schema.name, s)]);
    expect(ids[0]).to.match(/^[0-9a-f-]{36}$/);
    expect(ids[1]).to.equal(ids[0]);
    expect(await createSchema(pool, schema.name, s)).to.equal(ids[0]);
    const { rows } = await pool.query(`SELECT schema_version, seq FROM ${s}.node`);
    expect(rows).to.deep.equal([{ schema_version: SCHEMA_VERSION, seq: '0' }]);
  });

  it('raises an older version and refuses a newer one', async () => {
    await createSchema(pool, schema.name, s);
    await pool.query(`UPDATE ${s}.node SET schema_version = 1`);
    await createSchema(pool, schema.name, s);
    expect((await pool.query(`SELECT schema_version FROM ${s}.node`)).rows).to.deep.equal([{ schema_version: SCHEMA_VERSION }]);
    await pool.query(`UPDATE ${s}.node SET schema_version = $1`, [SCHEMA_VERSION + 1]);
    let error: unknown;
    await createSchema(pool, schema.name, s).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error).with.property('message').that.contains('newer than this halsync understands');
  });

  it('commits a transaction that returns and rolls back one that throws', async () => {
    await createSchema(pool, schema.name, s);
    await inTransaction(pool, (client) => client.query(`INSERT INTO ${s}.checkpoints VALUES ('kept', '1')`));
    let error: unknown;
    await inTransaction(pool, async (client) => {
      await client.query(`INSERT INTO ${s}.checkpoints VALUES ('lost', '1')`);
      throw new Error('no');
    }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(Error).with.property('message', 'no');
    expect((await pool.query(`SELECT key FROM ${s}.checkpoints ORDER BY key`)).rows).to.deep.equal([{ key: 'kept' }]);
  });

  it("upserts memberships and pages a grant's places: members, and a removal only for an item gone from the whole grant", async () => {
    await createSchema(pool, schema.name, s);
    const join = (rows: Array<[string, string, number, boolean]>) =>
      pool.query(joinSql(s), [
        'items',
        rows.map((r) => r[0]),
        rows.map((r) => r[1]),
        rows.map((r) => r[2]),
        rows.map((r) => r[3]),
        rows.map((r) => `t${r[2]}`),
      ]);
    // a: in red; b: left red but is still in blue; c: left red and blue.
    await join([
      ['red', 'a', 1, true],
      ['red', 'b', 2, true],
      ['red', 'c', 3, true],
      ['blue', 'c', 3, true],
    ]);
    await join([
      ['red', 'b', 4, false],
      ['blue', 'b', 4, true],
      ['red', 'c', 5, false],
      ['blue', 'c', 5, false],
    ]);
    const places = async (grant: string[], after: number, removals: boolean) =>
      (await pool.query(placementsSql(s), ['items', grant, after, null, removals, 10])).rows.map((r) => [r.item_id, Number(r.seq), r.member]);
    expect(await places(['red'], 0, false)).to.deep.equal([['a', 1, true]]);
    expect(await places(['red'], 0, true)).to.deep.equal([
      ['a', 1, true],
      ['b', 4, false],
      ['c', 5, false],
    ]);
    const both = await places(['red', 'blue'], 1, true);
    expect(both.sort((x, y) => Number(x[1]) - Number(y[1]))).to.deep.equal([
      ['b', 4, true],
      ['c', 5, false],
      ['c', 5, false],
    ]);
  });
});
