import { expect } from 'chai';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { request } from '../../support/http.js';
import { describeOnEveryStore } from '../../support/store-kinds.js';

/**
 * Racing direct writes of one item over HTTP: a direct write's If-Match (or If-None-Match) and
 * its create-or-replace answer are decided inside the store's transaction, so of N racers that
 * all read the same version, exactly one wins.
 */
describeOnEveryStore('server: racing direct writes of one item', 'race', function (node) {
  this.timeout(20_000);

  const itemUrl = (id: string) => `${node().url}items/${id}`;

  it('12 DELETEs with the same If-Match: one 204, eleven 412', async () => {
    const id = crypto.randomUUID();
    const created = await request(itemUrl(id), { method: 'PUT', body: { data: { n: 1 } } });
    expect(created.status).to.equal(201);
    const replies = await Promise.all(
      Array.from({ length: 12 }, () => request(itemUrl(id), { method: 'DELETE', headers: { 'If-Match': `"${fingerprint({ n: 1 })}"` } })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([204, ...Array(11).fill(412)]);
  });

  it('16 PUTs creating one new id: one 201, the others 200', async () => {
    const id = crypto.randomUUID();
    const replies = await Promise.all(Array.from({ length: 16 }, (_, n) => request(itemUrl(id), { method: 'PUT', body: { data: { n } } })));
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([...Array(15).fill(200), 201]);
    expect(replies.filter((r) => r.status === 201).map((r) => r.headers.location)).to.deep.equal([itemUrl(id)]);
  });

  it('16 PUTs of the same data with If-None-Match: * on one new id: one 201, fifteen 412', async () => {
    const id = crypto.randomUUID();
    const replies = await Promise.all(
      Array.from({ length: 16 }, () => request(itemUrl(id), { method: 'PUT', body: { data: { n: 1 } }, headers: { 'If-None-Match': '*' } })),
    );
    const statuses = replies.map((r) => r.status).sort();
    expect(statuses).to.deep.equal([201, ...Array(15).fill(412)]);
  });
});
