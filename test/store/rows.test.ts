import { expect } from 'chai';
import canonicalize from 'canonicalize';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { entryData, inRequestedOrder, ITEM_COLUMNS, itemValues, rowOf, toEntry, toPage, toStoredItem, type ItemRow } from '../../lib/store/rows.js';
import type { StoredItem } from '../../lib/store/store.js';

const row = (id: string, seq: number | string, over: Partial<ItemRow> = {}): ItemRow => ({
  item_id: id,
  updated_at: '2030-01-01T00:00:00.000Z',
  fingerprint: 'f'.repeat(40),
  deleted: 0,
  data: '{"b":1,"a":2}',
  seq,
  recorded_at: '2030-01-02T00:00:00.000Z',
  channels: '["c1"]',
  ...over,
});

describe('store/rows: SQL rows as store items', () => {
  it("reads SQLite's 0/1 and numbers and pg's booleans and bigint strings alike, keeping data's key order", () => {
    const sqlite = toStoredItem(row('a', 7));
    const pg = toStoredItem(row('a', '7', { deleted: false }));
    expect(sqlite).to.deep.equal(pg);
    expect(sqlite).to.deep.equal({
      itemId: 'a',
      updatedAt: '2030-01-01T00:00:00.000Z',
      fingerprint: 'f'.repeat(40),
      deleted: false,
      data: { b: 1, a: 2 },
      seq: 7,
      recordedAt: '2030-01-02T00:00:00.000Z',
      channels: ['c1'],
    });
    expect(Object.keys(sqlite.data as object)).to.deep.equal(['b', 'a']);
    const tombstone = toStoredItem(row('t', 8, { deleted: 1, data: null }));
    expect([tombstone.deleted, tombstone.data]).to.deep.equal([true, null]);
  });

  it('leaves data out of a log entry unless asked for', () => {
    expect(toEntry(row('a', 1), 'none')).to.not.have.property('data');
    expect(toEntry(row('a', 1), 'parsed').data).to.deep.equal({ b: 1, a: 2 });
    // Not even parsed to be dropped: a row whose text is not JSON reads without its data.
    expect(toEntry(row('a', 1, { data: '{not json' }), 'none').itemId).to.equal('a');
  });

  it("hands a live entry's data through as the stored text, unparsed, when asked; a tombstone's data is null", () => {
    const entry = toEntry(row('a', 1, { data: '{"b":1,"a":[2]}' }), 'json');
    expect(entry.dataJson).to.equal('{"b":1,"a":[2]}');
    expect(entry).to.not.have.property('data');
    const { dataJson: _text, ...rest } = entry;
    const { data: _data, ...parsed } = toEntry(row('a', 1), 'parsed');
    expect(rest).to.deep.equal(parsed);
    const tombstone = toEntry(row('t', 2, { deleted: 1, data: null }), 'json');
    expect(tombstone).to.deep.include({ deleted: true, data: null }).and.not.have.property('dataJson');
  });

  it('asks for the text only with data and dataAsJson both', () => {
    expect(entryData({ withData: false })).to.equal('none');
    expect(entryData({ withData: false, dataAsJson: true })).to.equal('none');
    expect(entryData({ withData: true })).to.equal('parsed');
    expect(entryData({ withData: true, dataAsJson: false })).to.equal('parsed');
    expect(entryData({ withData: true, dataAsJson: true })).to.equal('json');
  });

  it('reads a row given as the array of its ITEM_COLUMNS values as the same row', () => {
    const given = row('a', 7, { channels: '["x","y"]' });
    const values = ITEM_COLUMNS.split(', ').map((column) => given[column as keyof ItemRow]);
    expect(rowOf(values)).to.deep.equal(given);
  });

  it('answers getItems in the requested order, leaving out the missing', () => {
    const items = inRequestedOrder([row('a', 1), row('b', 2), row('c', 3)], ['c', 'x', 'a']);
    expect(items.map((i) => i.itemId)).to.deep.equal(['c', 'a']);
  });

  it('pages: limit + 1 rows mean more, checkpoint at the last entry; else the high water, never behind `after`', () => {
    const rows = [row('a', 3), row('b', 4), row('c', 5)];
    expect(toPage(rows, 2, 'none', 2, 9)).to.deep.include({ hasMore: true, checkpoint: 4 });
    expect(toPage(rows, 2, 'none', 2, 9).entries.map((e) => e.itemId)).to.deep.equal(['a', 'b']);
    expect(toPage(rows, 3, 'none', 2, 9)).to.deep.include({ hasMore: false, checkpoint: 9 });
    expect(toPage([], 10, 'none', 12, 9)).to.deep.equal({ entries: [], hasMore: false, checkpoint: 12 });
  });

  it('writes data as its canonical JSON text, whatever its key order, and reads back equal data', () => {
    const data: Json = { z: [{ b: 1, a: -0 }], '10': 'ten', '9': 'nine', é: 'é', a: { y: 1e21, x: '😀' } };
    const item: StoredItem = {
      itemId: 'a',
      updatedAt: '2030-01-01T00:00:00.000Z',
      fingerprint: fingerprint(data),
      deleted: false,
      data,
      seq: 7,
      recordedAt: '2030-01-02T00:00:00.000Z',
      channels: ['c1'],
    };
    const values = itemValues(item);
    expect(values[4]).to.equal('{"10":"ten","9":"nine","a":{"x":"😀","y":1e+21},"z":[{"a":0,"b":1}],"é":"é"}');
    expect(values[4]).to.equal(canonicalize(data));
    const back = toStoredItem(row('a', 7, { data: values[4], fingerprint: item.fingerprint }));
    expect(back).to.deep.equal({ ...item, data: JSON.parse(values[4]!) as Json });
    expect(back.data).to.deep.equal(JSON.parse(JSON.stringify(data)));
    expect(fingerprint(back.data)).to.equal(item.fingerprint);
    expect(itemValues({ ...item, deleted: true, data: null })[4]).to.equal(null);
  });

  it("writes a writer's canonical text as it is given (Write.dataJson), and none for a tombstone", () => {
    const item: StoredItem = {
      itemId: 'a',
      updatedAt: '2030-01-01T00:00:00.000Z',
      fingerprint: 'f',
      deleted: false,
      data: { a: 1 },
      seq: 1,
      recordedAt: '2030-01-01T00:00:00.000Z',
      channels: [],
    };
    // Not the text of data: shows the given text is written rather than data serialised again.
    expect(itemValues(item, '{"given":true}')[4]).to.equal('{"given":true}');
    expect(itemValues(item)[4]).to.equal('{"a":1}');
    expect(itemValues({ ...item, deleted: true, data: null }, 'null')[4]).to.equal(null);
  });
});
