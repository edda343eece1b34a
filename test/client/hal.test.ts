import assert from 'node:assert/strict';
import { HalDocument } from '../../lib/client/hal.js';
import { LinkNotFound } from '../../lib/client/errors.js';

const root = new HalDocument('http://node.test/api/', {
  _links: {
    self: { href: '/api/' },
    curies: [{ name: 'sync', href: '/rels/{rel}', templated: true }],
    'sync:collection': [
      { href: 'c/items', name: 'items', title: 'Items' },
      { href: 'c/notes', name: 'notes', title: 'Notes' },
    ],
    'sync:transactions': { href: 'feeds/items/log{?earliest,cursor,limit,embed}', templated: true },
  },
  _embedded: { 'sync:entry': { itemId: 'x', _links: { self: { href: 'items/x' } } } },
});

describe('client/hal', () => {
  it('picks a link by attribute and resolves it against the document URI', () => {
    assert.equal(root.resolve('sync:collection', { name: 'notes' }), 'http://node.test/api/c/notes');
  });

  it('expands RFC 6570 templates, leaving out undefined variables', () => {
    assert.equal(root.resolve('sync:transactions', { cursor: 'abc', limit: 10, embed: undefined }), 'http://node.test/api/feeds/items/log?cursor=abc&limit=10');
    assert.equal(root.bare('sync:transactions'), 'http://node.test/api/feeds/items/log');
    assert.equal(root.offers('sync:transactions', 'embed'), true);
  });

  it('reports the rel and the URI of the document that lacks a link', () => {
    assert.throws(
      () => root.resolve('sync:collection', { name: 'nope' }),
      (e: unknown) => e instanceof LinkNotFound && e.uri === 'http://node.test/api/',
    );
    assert.throws(
      () => root.resolve('sync:item'),
      (e: unknown) => e instanceof LinkNotFound && e.rel === 'sync:item',
    );
  });

  it('gives embedded documents as an array, resolved against the containing document', () => {
    const [entry] = root.embedded('sync:entry');
    assert.equal(entry!.resolve('self'), 'http://node.test/api/items/x');
  });

  it('matches CURIE names literally', () => {
    assert.equal(root.has('http://node.test/rels/collection'), false);
  });
});
