import { expect } from 'chai';
import * as client from '../../lib/entries/client.js';

/** The `halsync/client` entry (lib/entries/client.ts); bundled for a browser: test/entries/bundle.test.ts. */
describe('entries/client', () => {
  it('exports the client, store and sync API as functions and classes', () => {
    const names = [
      'syncStore',
      'sync',
      'HttpClient',
      'MemoryStore',
      'LocalItems',
      'openStore',
      'FetchTransport',
      'Resource',
      'HalDocument',
      'StoreReplica',
      'NodeReplica',
      'fingerprint',
      'canonicalJson',
      'decide',
      'restoreConflict',
      'readRoot',
      'storeCheckpoints',
      'HttpError',
      'StoreError',
    ] as const;
    for (const name of names) expect(client[name], name).to.be.a('function');
  });

  it('exports errors that are Error classes', () => {
    expect(new client.ClientError('x')).to.be.instanceOf(Error);
    expect(new client.StoreError('x')).to.be.instanceOf(Error);
  });

  it('exports its constants', () => {
    expect(client.TOMBSTONE_FINGERPRINT).to.be.a('string').and.not.equal('');
    expect(client.DEFAULT_WAIT_SECONDS).to.be.a('number').and.greaterThan(0);
    expect(client.rels).to.be.an('object');
  });
});
