import { expect } from 'chai';
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
    expect(root.resolve('sync:collection', { name: 'notes' })).to.equal('http://node.test/api/c/notes');
  });

  it('expands RFC 6570 templates, leaving out undefined variables', () => {
    expect(root.resolve('sync:transactions', { cursor: 'abc', limit: 10, embed: undefined })).to.equal(
      'http://node.test/api/feeds/items/log?cursor=abc&limit=10',
    );
    expect(root.bare('sync:transactions')).to.equal('http://node.test/api/feeds/items/log');
    expect(root.offers('sync:transactions', 'embed')).to.equal(true);
  });

  it('reports the rel and the URI of the document that lacks a link', () => {
    expect(() => root.resolve('sync:collection', { name: 'nope' }))
      .to.throw(LinkNotFound)
      .with.property('uri', 'http://node.test/api/');
    expect(() => root.resolve('sync:item'))
      .to.throw(LinkNotFound)
      .with.property('rel', 'sync:item');
  });

  it('gives embedded documents as an array, resolved against the containing document', () => {
    const [entry] = root.embedded('sync:entry');
    expect(entry!.resolve('self')).to.equal('http://node.test/api/items/x');
  });

  it('matches CURIE names literally', () => {
    expect(root.has('http://node.test/rels/collection')).to.equal(false);
  });
});
