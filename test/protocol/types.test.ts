import { expect } from 'chai';
import type { Item, JobState, Json, Link, LogEntry, Mismatch, SyncLog } from '../../lib/protocol/types.js';

/** The protocol's types (lib/protocol/types.ts) are type-only: these values must compile as them. */
describe('protocol/types', () => {
  it('types an item and a tombstone', () => {
    const item = { itemId: 'a', updatedAt: '2024-01-01T00:00:00.000Z', fingerprint: 'f', deleted: false, data: { n: [1, null, 'x'] } } satisfies Item;
    const tombstone = { itemId: 'b', updatedAt: item.updatedAt, fingerprint: 't', deleted: true, data: null } satisfies Item;
    expect(item.data.n).to.deep.equal([1, null, 'x']);
    expect(tombstone.data).to.equal(null);
  });

  it('types a log entry without data and a sync log with a base', () => {
    const entry = { itemId: 'a', updatedAt: 'u', fingerprint: 'f', deleted: false } satisfies LogEntry;
    const log = { entries: [{ ...entry, data: 1, base: null }] } satisfies SyncLog;
    expect(entry).not.to.have.property('data');
    expect(log.entries[0]!.base).to.equal(null);
  });

  it('types a mismatch, job states, links and JSON', () => {
    const mismatch = { itemId: 'a', expected: null, actual: 'f', current: null } satisfies Mismatch;
    const states: JobState[] = ['pending', 'running', 'succeeded', 'failed'];
    const link = { href: '/{x}', templated: true, hreflang: 'en' } satisfies Link;
    const json: Json = { a: [true, 1, 's', null, { b: [] }] };
    // @ts-expect-error a link needs an href
    const noHref: Link = { templated: true };
    expect(mismatch.actual).to.equal('f');
    expect(new Set(states).size).to.equal(4);
    expect(link.hreflang).to.equal('en');
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
    expect(noHref).not.to.have.property('href');
  });
});
