import { expect } from 'chai';
import { expectRejection } from '../support/expect.js';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory.js';
import { openStore } from '../../lib/store/open.js';
import { StoreUnavailable } from '../../lib/store/store.js';

describe('openStore', function () {
  let dir: string;
  const cwd = process.cwd();

  beforeEach(async function () {
    dir = await mkdtemp(join(tmpdir(), 'halsync-open-'));
  });

  afterEach(async function () {
    process.chdir(cwd);
    await rm(dir, { recursive: true, force: true });
  });

  async function refused(url: string): Promise<StoreUnavailable> {
    const error = await openStore(url).then(
      async (store) => {
        await store.close();
        throw new Error(`${url} opened`);
      },
      (e: unknown) => e,
    );
    if (!(error instanceof StoreUnavailable)) expect.fail(`expected StoreUnavailable, got ${String(error)}`);
    expect(error.message).to.match(/is unavailable: /);
    return error;
  }

  it('opens a memory store', async function () {
    const store = await openStore('memory:');
    expect(store instanceof MemoryStore).to.be.ok;
  });

  it('opens a SQLite file relative to the working directory, creating it once', async function () {
    process.chdir(dir);
    const store = await openStore('sqlite:./nested.db');
    const { id } = store;
    await store.close();
    const again = await openStore(`sqlite:${join(dir, 'nested.db')}`);
    expect(again.id).to.equal(id);
    await again.close();
  });

  it('refuses a corrupt SQLite file, naming it and the cause', async function () {
    const path = join(dir, 'corrupt.db');
    await writeFile(path, Buffer.from('this is not a database at all, just some garbage bytes '.repeat(200)));
    const error = await refused(`sqlite:${path}`);
    expect(error.message).to.match(/sqlite:.*corrupt\.db/);
    expect(error.message).to.match(/not a database/);
  });

  it('refuses a SQLite path that cannot be opened', async function () {
    await mkdir(join(dir, 'a-directory.db'));
    expect((await refused(`sqlite:${join(dir, 'a-directory.db')}`)).message).to.match(/a-directory\.db/);
    expect((await refused(`sqlite:${join(dir, 'missing', 'x.db')}`)).message).to.match(/missing/);
  });

  it('refuses an unreachable PostgreSQL server at open, without showing its password', async function () {
    const error = await refused('postgres://someone:secret@127.0.0.1:1/test?schema=s1');
    expect(error.message).to.match(/postgres:\/\/someone@127\.0\.0\.1:1\/test/);
    expect(error.message).to.match(/ECONNREFUSED/);
    expect(error.message).to.not.match(/secret/);
  });

  it('refuses a schema name it would have to quote', async function () {
    expect((await refused('postgresql://127.0.0.1:1/test?schema=a";drop')).message).to.match(/not a plain schema name/);
  });

  it('names the URLs it understands when given another', async function () {
    await expectRejection(openStore('mysql://localhost/x'), Error, { message: /unsupported store URL "mysql:\/\/localhost\/x"/ });
  });
});
