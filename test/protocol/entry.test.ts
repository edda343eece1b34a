import { expect } from 'chai';
import fc from 'fast-check';
import { checkItem, InvalidEntry, isFingerprint, loneSurrogateAt, parseEntry, renderEntry, renderEntryJson, toWrite } from '../../lib/protocol/entry.js';
import { isItemId } from '../../lib/protocol/ids.js';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';

/** The log entry's one owner (lib/protocol/entry.ts): what a node renders is what a client parses, and only that. */
const itemId = '00000000-0000-4000-8000-000000000001';
const good = { itemId, updatedAt: '2026-01-01T00:00:00.000Z', fingerprint: fingerprint({ a: 1 }), deleted: false };

function rejects(body: Record<string, unknown>): InvalidEntry {
  try {
    parseEntry(body);
  } catch (error) {
    expect(error).to.be.instanceOf(InvalidEntry);
    return error as InvalidEntry;
  }
  expect.fail(`accepted ${JSON.stringify(body)}`);
}

describe('protocol/entry', () => {
  it('parses what renderEntry writes, with and without data', () => {
    const rendered = renderEntry({ ...good, data: { a: 1 } }, 'http://n/items/x', true);
    expect(rendered).to.include({ itemURI: 'http://n/items/x' });
    expect(parseEntry(rendered)).to.deep.equal({ ...good, data: { a: 1 } });
    expect(parseEntry(renderEntry(good, 'http://n/items/x', false))).to.deep.equal(good);
  });

  it('writes as renderEntryJson exactly the text of renderEntry, data given parsed or as JSON text', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(
      fc.property(text, text, text, fc.boolean(), text, fc.jsonValue({ maxDepth: 4 }), fc.boolean(), (itemId, updatedAt, print, deleted, uri, data, embed) => {
        const entry = { itemId, updatedAt, fingerprint: print, deleted, data: data as Json };
        const expected = JSON.stringify(renderEntry(entry, uri, embed));
        expect(renderEntryJson(entry, JSON.stringify(uri), embed)).to.equal(expected);
        expect(renderEntryJson({ itemId, updatedAt, fingerprint: print, deleted, dataJson: JSON.stringify(data) }, JSON.stringify(uri), embed)).to.equal(
          expected,
        );
      }),
    );
    const tombstone = { ...good, deleted: true, fingerprint: TOMBSTONE_FINGERPRINT };
    expect(JSON.parse(renderEntryJson(tombstone, '"http://n/items/x"', true))).to.deep.equal(renderEntry(tombstone, 'http://n/items/x', true));
    expect(JSON.parse(renderEntryJson(tombstone, '"http://n/items/x"', true)).data).to.equal(null);
  });

  it("splices data's JSON text in as it is, keeping its key order", () => {
    const data = { z: 1, a: { é: '\u2028' } };
    const entry = { ...good, fingerprint: fingerprint(data), dataJson: '{"z":1,"a":{"é":"\\u2028"}}' };
    const out = renderEntryJson(entry, JSON.stringify('http://n/items/"x"'), true);
    expect(out).to.contain(',"data":{"z":1,"a":{"é":"\\u2028"}},"_links"');
    expect(parseEntry(JSON.parse(out) as Record<string, unknown>)).to.deep.equal({ ...good, fingerprint: fingerprint(data), data });
  });

  it('lower-cases an upper-case item id, as a node stores it', () => {
    expect(parseEntry({ ...good, itemId: itemId.toUpperCase() }).itemId).to.equal(itemId);
  });

  for (const bad of ['../../etc/passwd', '', '__proto__', 42]) {
    it(`refuses the item id ${JSON.stringify(bad)}`, () => {
      expect(rejects({ ...good, itemId: bad }).errors.map((e) => e.pointer)).to.deep.equal(['/itemId']);
    });
  }

  it("refuses fingerprints that are not 40 lowercase hex digits, and a tombstone with another than null's", () => {
    for (const bad of ['ABC', good.fingerprint.toUpperCase(), `${good.fingerprint}0`, null]) {
      expect(rejects({ ...good, fingerprint: bad }).errors[0]!.pointer).to.equal('/fingerprint');
    }
    expect(rejects({ ...good, deleted: true }).errors[0]!.detail).to.match(/tombstone/);
    expect(parseEntry({ ...good, deleted: true, fingerprint: TOMBSTONE_FINGERPRINT, data: null }).data).to.equal(null);
  });

  it('refuses embedded data that does not hash to the fingerprint, naming the item', () => {
    const error = rejects({ ...good, data: { a: 2 } });
    expect(error.itemId).to.equal(itemId);
    expect(error.errors).to.deep.equal([{ pointer: '/fingerprint', detail: 'does not match the fingerprint of data' }]);
  });

  it('refuses timestamps outside the one grammar', () => {
    for (const bad of ['2026-01-01T00:00:00Z', '2026-01-01 00:00:00.000Z', 'yesterday', 0]) {
      expect(rejects({ ...good, updatedAt: bad }).errors[0]!.pointer).to.equal('/updatedAt');
    }
  });

  it('finds a lone surrogate as a value or a key, and lets a well-formed pair through', () => {
    expect(loneSurrogateAt({ ok: '😀', list: ['x', '\ud800'] })).to.equal('/list/1');
    expect(loneSurrogateAt({ ['a/\udc00']: 1 })).to.equal('/a~1\udc00');
    expect(loneSurrogateAt({ ok: '😀' })).to.equal(undefined);
    expect(rejects({ ...good, data: { s: '\ud800' } }).errors[0]!.pointer).to.equal('/data/s');
  });

  it('checks a fetched item the same way, its fingerprint recomputed from its data', () => {
    expect(checkItem({ ...good, data: { a: 1 } })).to.deep.equal([]);
    expect(checkItem({ ...good, data: { a: 2 } }).map((e) => e.pointer)).to.deep.equal(['/fingerprint']);
    expect(checkItem(good).map((e) => e.pointer)).to.deep.equal(['/data']);
  });

  it('turns a sync-log entry into a write: base when given, else "unchanged since"', () => {
    const entry = { ...good, data: { a: 1 } };
    expect(toWrite({ ...entry, base: null }, 5).precondition).to.deep.equal({ kind: 'base', fingerprint: null });
    expect(toWrite(entry, 5).precondition).to.deep.equal({ kind: 'unchanged-since', seq: 5 });
    expect(toWrite({ ...entry, deleted: true, data: { stale: 1 } }, undefined).data).to.equal(null);
  });

  it('knows the id and fingerprint grammars', () => {
    expect([isItemId(itemId), isItemId('x'), isFingerprint(good.fingerprint), isFingerprint('0')]).to.deep.equal([true, false, true, false]);
  });
});
