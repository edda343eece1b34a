import { expect } from 'chai';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { expectProblem, pointers } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { describeOnEveryStore } from '../../support/store-kinds.js';
import { newId } from '../../support/sync.js';

/**
 * A lone surrogate is valid JSON text (`"\ud800"`) but no Unicode string: it has no UTF-8 form,
 * so no canonical JSON and no fingerprint. Every write refuses it as a 422 with its pointer.
 */
const LONE = '\ud800';
describeOnEveryStore('server: lone surrogates in a body', 'surrogate', function (node) {
  const expectRefused = async (reply: Promise<import('../../support/http.js').Reply>, pointer: string) => {
    expect(pointers(expectProblem(await reply, 422, 'validation-failed'))).to.deep.equal([pointer]);
    expect(await node().store.highWater()).to.equal(0);
  };

  it('item PUT: as a value and as a key', async () => {
    await expectRefused(request(`${node().url}items/${newId()}`, { method: 'PUT', body: { data: { text: `a${LONE}` } } }), '/data/text');
    await expectRefused(request(`${node().url}items/${newId()}`, { method: 'PUT', body: { data: { [`k${LONE}`]: 1 } } }), `/data/k${LONE}`);
    await expectRefused(request(`${node().url}items/${newId()}`, { method: 'PUT', body: { data: { list: ['ok', '\udc00x'] } } }), '/data/list/1');
  });

  it('collection POST', async () => {
    await expectRefused(request(`${node().url}items`, { method: 'POST', body: { data: { text: LONE } } }), '/data/text');
  });

  it('sync-log PUT', async () => {
    const entry = {
      itemId: newId(),
      updatedAt: '2026-01-01T00:00:00.000Z',
      fingerprint: fingerprint({ ok: 1 }),
      deleted: false,
      data: { [LONE]: 1 },
      base: null,
    };
    await expectRefused(request(`${node().url}items/transactions`, { method: 'PUT', body: { entries: [entry] } }), `/entries/0/data/${LONE}`);
  });

  it('conflicts POST', async () => {
    const reply = await request(`${node().url}items/conflicts`, { method: 'POST', body: { records: [{ conflictId: newId(), peer: `http://x/${LONE}` }] } });
    expect(pointers(expectProblem(reply, 422, 'validation-failed'))).to.deep.equal(['/records/0/peer']);
  });

  it('a well-formed pair of surrogates (an emoji) is data like any other', async () => {
    const reply = await request(`${node().url}items/${newId()}`, { method: 'PUT', body: { data: { text: '\ud83d\ude00' } } });
    expect(reply.status).to.equal(201);
  });
});
