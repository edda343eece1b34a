/**
 * The entry of the page test/store/idb.test.ts bundles for Chromium: the store conformance
 * suite and the local API suite, unchanged, against IdbStore, run by mocha's browser build
 * (loaded and set up by the page before this module runs). Results land on
 * `window.halsyncResults` for the Node side to read.
 */
import { expect } from 'chai';
import { deleteDB } from 'idb';
import { IdbStore } from '../../lib/store/idb.js';
import { openStore } from '../../lib/store/open.js';
import { storeConformance } from './conformance.js';
import { localItemsConformance } from './local-conformance.js';

export interface BrowserResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  error?: string;
}

let made = 0;
/** A database no earlier test used; deleted once every handle on it is closed. */
function fresh(): { name: string; dispose: () => Promise<void> } {
  const name = `test-${Date.now()}-${++made}`;
  return { name, dispose: () => deleteDB(`halsync:${name}`) };
}

storeConformance('idb', async () => {
  const { name, dispose } = fresh();
  return { store: await IdbStore.open(name), openAgain: () => IdbStore.open(name), dispose };
});

// As a page would write it, `new IdbStore(name)`: every call waits for the database to open.
localItemsConformance('idb', async () => {
  const { name, dispose } = fresh();
  return { store: new IdbStore(name), dispose };
});

describe('opening an IdbStore in a browser', function () {
  it('works as new IdbStore(name): each call waits for the open, and id is there once open', async function () {
    const { name, dispose } = fresh();
    const store = new IdbStore(name);
    expect(() => store.id).to.throw(/not open yet/);
    await store.setCheckpoint('k', 'v');
    expect(store.id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const again = await IdbStore.open(name);
    expect([again.id, await again.getCheckpoint('k')]).to.deep.equal([store.id, 'v']);
    await Promise.all([store.close(), again.close()]);
    await dispose();
  });

  it('opens idb:<name> as an IdbStore, the same data on each open', async function () {
    const { name, dispose } = fresh();
    const store = await openStore(`idb:${name}`);
    expect(store).to.be.instanceOf(IdbStore);
    await store.setCheckpoint('k', 'v');
    await store.close();
    const again = await openStore(`idb:${name}`);
    expect([again.id, await again.getCheckpoint('k')]).to.deep.equal([store.id, 'v']);
    await again.close();
    await dispose();
  });

  it('refuses idb: without a name, and the Node-only stores, by their own errors', async function () {
    const failure = (url: string) =>
      openStore(url).then(
        () => 'opened',
        (e: unknown) => String(e),
      );
    expect(await failure('idb:')).to.match(/idb: needs a name/);
    expect(await failure('sqlite:./x.db')).to.not.equal('opened');
  });
});

const results: BrowserResult[] = [];
mocha
  .run()
  .on('pass', (test) => results.push({ title: test.fullTitle(), state: 'passed' }))
  .on('fail', (test, err: Error) => results.push({ title: test.fullTitle(), state: 'failed', error: err.stack ?? String(err) }))
  .on('pending', (test) => results.push({ title: test.fullTitle(), state: 'pending' }))
  .on('end', () => Object.assign(window, { halsyncResults: results }));
