import { expect } from 'chai';
import { conflictId, type ConflictRecord } from '../../../lib/protocol/conflicts.js';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../../lib/protocol/fingerprint.js';
import type { Json } from '../../../lib/protocol/types.js';
import { expectProblem, expectValid, pointers } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';
import { newId, put } from '../../support/sync.js';
import { until } from '../../support/until.js';

const T = '2026-03-01T10:00:00.000Z';
const CLOCK = '2030-01-01T00:00:00.000Z';

const version = (data: Json, updatedAt = T) =>
  data === null
    ? { updatedAt, fingerprint: TOMBSTONE_FINGERPRINT, deleted: true, data: null }
    : { updatedAt, fingerprint: fingerprint(data), deleted: false, data };

/** A record of a decision on `itemId` between these two contents (null: a deletion). */
function record(itemId: string, local: Json, remote: Json, winner: ConflictRecord['winner'], merged?: Json): ConflictRecord {
  const sides = { local: version(local), remote: version(remote) };
  const kept = winner === 'merged' ? version(merged!) : sides[winner];
  const body = {
    itemId,
    peer: 'http://127.0.0.1:9/',
    rule: winner === 'merged' ? ('resolve' as const) : ('prefer-remote' as const),
    winner,
    ...sides,
    result: { updatedAt: kept.updatedAt, fingerprint: kept.fingerprint, deleted: kept.deleted },
  };
  return { conflictId: conflictId('items', body), ...body, decidedAt: T };
}

describe('server: conflicts', () => {
  let node: StartedNode;
  let conflicts: string;
  beforeEach(async () => {
    node = await startNode({ clock: () => new Date(CLOCK), collections: [{ name: 'items', schema: { type: 'object', required: ['v'] } }] });
    conflicts = `${node.url}items/conflicts`;
  });
  afterEach(async () => node.close());

  const post = (body: unknown) => request(conflicts, { method: 'POST', body });
  /** Records `r` over HTTP, with the item standing at the version the decision left. */
  async function recorded(r: ConflictRecord, winnerData: Json): Promise<any> {
    if (winnerData === null)
      await node.store.apply('items', [
        { itemId: r.itemId, data: null, deleted: true, fingerprint: TOMBSTONE_FINGERPRINT, updatedAt: T, precondition: { kind: 'none' } },
      ]);
    else await put(node.store, r.itemId, winnerData, T);
    expect((await post({ records: [r] })).status).to.equal(200);
    return (await request(`${conflicts}/${r.conflictId}`)).json;
  }

  it('is linked from the collection; POST records once per conflictId; GET pages newest first', async () => {
    const collection = (await request(`${node.url}items`)).json;
    expectValid('collection', collection);
    expect(collection._links['sync:conflicts'].href).to.equal(conflicts);
    const records = Array.from({ length: 3 }, () => record(newId(), { v: 'l' }, { v: 'r' }, 'remote'));
    const first = await post({ records: records.slice(0, 2) });
    expect(first.status).to.equal(200);
    expect(first.json.recorded).to.equal(2);
    expect((await post({ records })).json.recorded).to.equal(1);
    const page = (await request(`${conflicts}?limit=2`)).json;
    expect(page.count).to.equal(2);
    expect(page._embedded['sync:conflict'].map((r: any) => r.conflictId)).to.deep.equal([records[2]!.conflictId, records[1]!.conflictId]);
    const rest = (await request(page._links.next.href)).json;
    expect(rest._embedded['sync:conflict'].map((r: any) => r.conflictId)).to.deep.equal([records[0]!.conflictId]);
    expect(rest._links.next).to.equal(undefined);
  });

  it('documents sync:conflicts, sync:conflict and sync:restore at /rels/{rel}', async () => {
    for (const rel of ['conflicts', 'conflict', 'restore']) {
      const page = await request(`${node.url}rels/${rel}`);
      expect(page.status, rel).to.equal(200);
      expect(page.text).to.match(new RegExp(`^# sync:${rel}\n`));
    }
  });

  it('refuses bad records (422), bad queries (400) and unknown records (404), recording nothing', async () => {
    const r = record(newId(), { v: 'l' }, { v: 'r' }, 'remote');
    const lying = { ...r, local: { ...r.local, data: { v: 'other' } } };
    expect(pointers(expectProblem(await post({ records: [r, lying] }), 422, 'validation-failed'))).to.deep.equal(['/records/1/local/fingerprint']);
    expect(pointers(expectProblem(await post({ records: [{ ...r, extra: 1 }] }), 422))).to.deep.equal(['/records/0/extra']);
    expect(pointers(expectProblem(await post({ records: [{ ...r, rule: 'prefer' }] }), 422))).to.deep.equal(['/records/0/rule']);
    expect((await request(conflicts)).json.count).to.equal(0);
    expectProblem(await request(`${conflicts}?limit=0`), 400, 'malformed-query');
    expectProblem(await request(`${conflicts}?before=nonsense`), 400, 'malformed-query');
    expectProblem(await request(`${conflicts}?cursor=x`), 400, 'malformed-query');
    expectProblem(await request(`${conflicts}/not-a-uuid`), 400);
    expectProblem(await request(`${conflicts}/${r.conflictId}`), 404, 'not-found');
    expectProblem(await request(`${conflicts}/${r.conflictId}/restore`, { method: 'POST' }), 404, 'not-found');
    expectProblem(await request(`${node.url}nothing/conflicts`), 404);
  });

  it('restores only over the version the decision left (409 item-changed), unless forced; and only once unless forced', async () => {
    const itemId = newId();
    const doc = await recorded(record(itemId, { v: 'lost' }, { v: 'won' }, 'remote'), { v: 'won' });
    expectValid('item', (await request(doc._links['sync:item'].href)).json);
    const restore = doc._links['sync:restore'][0].href;
    await put(node.store, itemId, { v: 'edited later' }, '2026-03-02T00:00:00.000Z');
    const refused = expectProblem(await request(restore, { method: 'POST' }), 409, 'item-changed');
    expect(refused.current.fingerprint).to.equal(fingerprint({ v: 'edited later' }));
    expect((await node.store.getItem('items', itemId))!.data).to.deep.equal({ v: 'edited later' });
    expect((await request(doc._links.self.href)).json.restored).to.equal(null);

    const forced = await request(`${restore}&force=true`, { method: 'POST' });
    expect(forced.status).to.equal(200);
    expect(forced.json).to.include({ updatedAt: CLOCK, deleted: false });
    expect(forced.json.data).to.deep.equal({ v: 'lost' });
    expectProblem(await request(restore, { method: 'POST' }), 409, 'item-changed');
  });

  it('names both losers after a merge and needs the side; refuses the winning side', async () => {
    const itemId = newId();
    const doc = await recorded(record(itemId, { v: 'l' }, { v: 'r' }, 'merged', { v: 'lr' }), { v: 'lr' });
    expect(doc._links['sync:restore'].map((l: any) => l.name)).to.deep.equal(['local', 'remote']);
    const bare = `${conflicts}/${doc.conflictId}/restore`;
    expect(pointers(expectProblem(await request(bare, { method: 'POST' }), 400))).to.deep.equal(['/side']);
    const restored = await request(doc._links['sync:restore'][1].href, { method: 'POST' });
    expect(restored.status).to.equal(200);
    expect(restored.json.data).to.deep.equal({ v: 'r' });

    const other = await recorded(record(newId(), { v: 'l' }, { v: 'r' }, 'remote'), { v: 'r' });
    expect(pointers(expectProblem(await request(`${conflicts}/${other.conflictId}/restore?side=remote`, { method: 'POST' }), 400))).to.deep.equal(['/side']);
  });

  it('restores a losing deletion as a tombstone, recreates a purged item (201), and checks data against the schema (422)', async () => {
    const deleted = await recorded(record(newId(), null, { v: 'r' }, 'remote'), { v: 'r' });
    const tomb = await request(deleted._links['sync:restore'][0].href, { method: 'POST' });
    expect(tomb.status).to.equal(200);
    expect(tomb.json).to.include({ deleted: true, data: null });
    expect((await request(deleted._links['sync:item'].href)).status).to.equal(410);

    const purged = record(newId(), { v: 'back' }, null, 'remote');
    expect((await post({ records: [purged] })).status).to.equal(200);
    const created = await request(`${conflicts}/${purged.conflictId}/restore`, { method: 'POST' });
    expect(created.status).to.equal(201);
    expect(created.headers.location).to.equal(`${node.url}items/${purged.itemId}`);

    const invalid = await recorded(record(newId(), { no: 'v' }, { v: 'r' }, 'remote'), { v: 'r' });
    expectProblem(await request(invalid._links['sync:restore'][0].href, { method: 'POST' }), 422, 'validation-failed');
    expect((await request(invalid._links.self.href)).json.restored).to.equal(null);
  });
  it('restores a losing deletion over an item whose tombstone was purged (forced): records the tombstone, so the deletion syncs on', async () => {
    // Local deleted, remote's edit won; the item was later deleted again here and its tombstone purged.
    const r = record(newId(), null, { v: 'r' }, 'remote');
    expect((await post({ records: [r] })).status).to.equal(200);
    const reply = await request(`${conflicts}/${r.conflictId}/restore?side=local&force=true`, { method: 'POST' });
    expect(reply.status).to.equal(201);
    expect(reply.json).to.include({ itemId: r.itemId, deleted: true, data: null, updatedAt: CLOCK });
    expect((await node.store.getItem('items', r.itemId))?.deleted).to.equal(true);
    expect((await request(`${conflicts}/${r.conflictId}`)).json.restored).to.deep.equal({ side: 'local', restoredAt: CLOCK });
  });
});

describe('server: conflict audit retention', () => {
  const DAY = 86_400_000;
  let node: StartedNode;
  beforeEach(async () => {
    node = await startNode({ clock: () => new Date(CLOCK), conflictRetentionMs: 30 * DAY, purgeIntervalMs: 10 });
  });
  afterEach(async () => node.close());

  it('purges records decided longer ago than --conflict-retention, periodically; their URLs then answer 404', async () => {
    const conflicts = `${node.url}items/conflicts`;
    const old = { ...record(newId(), { v: 'l' }, { v: 'r' }, 'remote'), decidedAt: '2029-12-01T23:59:59.999Z' };
    const recent = { ...record(newId(), { v: 'l' }, { v: 'r' }, 'remote'), decidedAt: '2029-12-02T00:00:00.000Z' };
    await put(node.store, old.itemId, { v: 'r' }, T);
    expect((await request(conflicts, { method: 'POST', body: { records: [old, recent] } })).status).to.equal(200);
    await until(async () => (await node.store.getConflict('items', old.conflictId)) === null, { message: 'the periodic purge removed the old record' });
    expectProblem(await request(`${conflicts}/${old.conflictId}`), 404, 'not-found');
    expectProblem(await request(`${conflicts}/${old.conflictId}/restore?side=local`, { method: 'POST' }), 404, 'not-found');
    expect((await request(`${conflicts}/${recent.conflictId}`)).status).to.equal(200);
    expect((await request(conflicts)).json._embedded['sync:conflict'].map((r: any) => r.conflictId)).to.deep.equal([recent.conflictId]);
    expect((await node.store.getItem('items', old.itemId))?.data, 'the item itself stays').to.deep.equal({ v: 'r' });
  });
});
