import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../../lib/protocol/cursor.js';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../../lib/protocol/fingerprint.js';
import type { Json } from '../../../lib/protocol/types.js';
import { expectProblem, expectValid, pointers } from '../../support/expect.js';
import { request, type Reply } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { describeOnEveryStore } from '../../support/store-kinds.js';

const id = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
const T = '2025-05-05T05:05:05.005Z';

function entry(i: number, data: Json, extra: Record<string, unknown> = {}) {
  return { itemId: id(i), updatedAt: T, fingerprint: fingerprint(data), deleted: false, data, ...extra };
}

function tombstone(i: number, extra: Record<string, unknown> = {}) {
  return { itemId: id(i), updatedAt: T, fingerprint: TOMBSTONE_FINGERPRINT, deleted: true, data: null, ...extra };
}

describe('server: transaction log PUT (sync log)', () => {
  let node: StartedNode;
  let logUrl: string;
  beforeEach(async () => {
    node = await startNode({ collections: [{ name: 'items', schema: { type: 'object', properties: { n: { type: 'integer' } } } }] });
    logUrl = `${node.url}items/transactions`;
  });
  afterEach(async () => node.close());

  const push = (body: unknown, headers: Record<string, string> = {}): Promise<Reply> => request(logUrl, { method: 'PUT', body, headers });

  async function expectUnchanged(action: () => Promise<unknown>): Promise<void> {
    const before = await node.store.changes('items', { limit: 100, withData: true });
    await action();
    expect(await node.store.changes('items', { limit: 100, withData: true })).to.deep.equal(before);
  }

  it('applies every entry with the entry updatedAt: 200 { applied, checkpoint }', async () => {
    const reply = await push({ entries: [entry(1, { n: 1 }, { base: null }), entry(2, { n: 2 }, { base: null })] });
    expect(reply.status).to.equal(200);
    expectValid('sync-result', reply.json);
    expect(reply.json.applied).to.equal(2);
    expect(decodeCursor(reply.json.checkpoint).storeId).to.equal(node.store.id);
    const item = await request(`${node.url}items/${id(1)}`);
    expect(item.json).to.include({ updatedAt: T, fingerprint: fingerprint({ n: 1 }) });
  });

  it('applying the same log twice is harmless (200, applied 0)', async () => {
    const body = { entries: [entry(1, { n: 1 }, { base: null })] };
    expect((await push(body)).json.applied).to.equal(1);
    const again = await push(body);
    expect(again.status).to.equal(200);
    expect(again.json.applied).to.equal(0);
  });

  it('answers checkpoint right after its own writes when nothing else happened since `since`', async () => {
    const start = (await request(logUrl)).json.checkpoint;
    const reply = await push({ since: start, entries: [entry(1, { n: 1 })] });
    expect(reply.status).to.equal(200);
    expect(decodeCursor(reply.json.checkpoint).seq).to.equal(1);
    const after = await request(`${logUrl}?cursor=${reply.json.checkpoint}`);
    expect(after.json._embedded['sync:entry']).to.deep.equal([]);
  });

  it('answers `since` itself when someone else wrote after it', async () => {
    const start = (await request(logUrl)).json.checkpoint;
    await request(`${node.url}items/${id(9)}`, { method: 'PUT', body: { data: { n: 9 } } });
    const reply = await push({ since: start, entries: [entry(1, { n: 1 }, { base: null })] });
    expect(reply.json.checkpoint).to.equal(start);
  });

  it('refuses a stale base with 409 conflicts, current included, and applies nothing', async () => {
    await push({ entries: [entry(1, { n: 1 }, { base: null }), tombstone(2, { base: null }), entry(3, { n: 3 }, { base: null })] });
    await request(`${node.url}items/${id(2)}`, { method: 'PUT', body: { data: { n: 22 } } });
    await expectUnchanged(async () => {
      const reply = await push({
        entries: [
          entry(1, { n: 10 }, { base: fingerprint({ n: 0 }) }),
          entry(4, { n: 4 }, { base: null }),
          entry(5, { n: 5 }, { base: fingerprint({ n: 5 }) }),
        ],
      });
      const problem = expectProblem(reply, 409, 'conflict');
      expect(problem['conflicts']).to.deep.equal([
        {
          itemId: id(1),
          expected: fingerprint({ n: 0 }),
          actual: fingerprint({ n: 1 }),
          current: { updatedAt: T, fingerprint: fingerprint({ n: 1 }), deleted: false, data: { n: 1 } },
        },
        { itemId: id(5), expected: fingerprint({ n: 5 }), actual: null, current: null },
      ]);
    });
  });

  it('an entry without base needs the item unchanged since `since` (409 otherwise)', async () => {
    const start = (await request(logUrl)).json.checkpoint;
    await request(`${node.url}items/${id(1)}`, { method: 'PUT', body: { data: { n: 1 } } });
    await expectUnchanged(async () => {
      const problem = expectProblem(await push({ since: start, entries: [entry(1, { n: 2 })] }), 409, 'conflict');
      expect(problem['conflicts'][0]).to.include({ itemId: id(1), expected: null, actual: fingerprint({ n: 1 }) });
    });
  });

  describe('validation (422, nothing applied)', () => {
    async function expect422(body: unknown, expected: string[]): Promise<void> {
      await expectUnchanged(async () => {
        const problem = expectProblem(await push(body), 422, 'validation-failed');
        expect(pointers(problem)).to.deep.equal(expected);
      });
    }

    it('points at the bad field of the sync log', async () => {
      await expect422({ entries: [entry(1, { n: 1 }, { base: null, itemId: 'nope' })] }, ['/entries/0/itemId']);
      await expect422({ entries: [entry(1, { n: 1 }, { base: null, updatedAt: 'today' })] }, ['/entries/0/updatedAt']);
      await expect422({ entries: [entry(1, { n: 1 }, { base: null, extra: 1 })] }, ['/entries/0/extra']);
      await expect422({ entries: [], unknown: true }, ['/unknown']);
      await expect422({}, ['/entries']);
      // RFC 6901: "" is the whole document; "/" would be its member named "".
      await expect422([], ['']);
    });

    it('points into data when it breaks the collection schema', async () => {
      const ok = entry(1, { n: 1 }, { base: null });
      await expect422({ entries: [ok, ok, ok, entry(4, { n: 'four' }, { base: null })].map((e, i) => ({ ...e, itemId: id(i + 1) })) }, ['/entries/3/data/n']);
    });

    it('refuses a fingerprint that is not that of data', async () => {
      await expect422({ entries: [entry(1, { n: 1 }, { base: null, fingerprint: fingerprint({ n: 2 }) })] }, ['/entries/0/fingerprint']);
    });

    it('refuses a tombstone with data', async () => {
      await expect422({ entries: [tombstone(1, { base: null, data: { n: 1 } })] }, ['/entries/0/data', '/entries/0/fingerprint']);
    });

    it('refuses the same item twice', async () => {
      await expect422({ entries: [entry(1, { n: 1 }, { base: null }), entry(1, { n: 2 }, { base: null })] }, ['/entries/1/itemId']);
    });

    it('refuses an entry without base when the log has no since', async () => {
      await expect422({ entries: [entry(1, { n: 1 }, { base: null }), entry(2, { n: 1 })] }, ['/entries/1/base']);
    });

    it('refuses a malformed since', async () => {
      await expect422({ since: 'not a cursor', entries: [] }, ['/since']);
      await expect422({ since: '', entries: [] }, ['/since']);
    });
  });

  it('answers 410 cursor-expired to an expired since', async () => {
    const foreign = encodeCursor({ storeId: '11111111-1111-4111-8111-111111111111', seq: 0 });
    await expectUnchanged(async () => {
      expectProblem(await push({ since: foreign, entries: [entry(1, { n: 1 })] }), 410, 'cursor-expired');
      expectProblem(await push({ since: encodeCursor({ storeId: node.store.id, seq: 7 }), entries: [] }), 410, 'cursor-expired');
    });
  });

  it('answers 404 for an unknown collection', async () => {
    expectProblem(await request(`${node.url}nope/transactions`, { method: 'PUT', body: { entries: [] } }), 404);
  });
});

describeOnEveryStore('server: what a sync log PUT stores of its data', 'synclogtext', function (node, kind) {
  it('stores each entry under the fingerprint it was checked against, in canonical order where the store keeps text', async () => {
    // Out of canonical order at both levels, with an integer-like key (JSON.parse lists those first).
    const data = { z: 1, '10': 'ten', a: { y: [2, { d: 4, c: 3 }], b: 'é' } };
    const pushed = await request(`${node().url}items/transactions`, {
      method: 'PUT',
      body: { entries: [entry(1, data, { base: null }), tombstone(2, { base: null })] },
    });
    expect(pushed.status).to.equal(200);
    const page = await request(`${node().url}items/transactions?embed=data`);
    const canonical = '{"10":"ten","a":{"b":"é","y":[2,{"c":3,"d":4}]},"z":1}';
    if (kind === 'memory') expect(page.json._embedded['sync:entry'][0].data).to.deep.equal(data);
    else expect(page.text).to.include(`"data":${canonical},`);
    const [item] = page.json._embedded['sync:entry'] as Array<{ data: Json; fingerprint: string }>;
    expect(item!.fingerprint).to.equal(fingerprint(data));
    expect(fingerprint(item!.data)).to.equal(item!.fingerprint);
  });
});
