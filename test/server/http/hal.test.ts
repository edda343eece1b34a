import { expect } from 'chai';
import { halDocument } from '../../../lib/server/http/hal.js';

describe('server: hal wrapper', () => {
  it('renders array relations as arrays even with one link, keeping name, title, templated and type', () => {
    const doc = halDocument({
      properties: { title: 'x' },
      links: {
        self: { href: 'http://h/' },
        curies: [{ name: 'sync', href: 'http://h/rels/{rel}', templated: true }],
        'sync:collection': [{ href: 'http://h/items', name: 'items', title: 'Items' }],
        describedby: { href: 'http://h/s', type: 'application/schema+json' },
        next: undefined,
      },
    });
    expect(doc).to.deep.equal({
      title: 'x',
      _links: {
        self: { href: 'http://h/' },
        curies: [{ name: 'sync', href: 'http://h/rels/{rel}', templated: true }],
        'sync:collection': [{ href: 'http://h/items', name: 'items', title: 'Items' }],
        describedby: { href: 'http://h/s', type: 'application/schema+json' },
      },
    });
  });

  it('keeps several links of a relation as an array without a rel attribute', () => {
    const doc = halDocument({ links: { self: { href: 'http://h/' }, 'sync:collection': [{ href: 'http://h/a' }, { href: 'http://h/b' }] } });
    expect(doc._links['sync:collection']).to.deep.equal([{ href: 'http://h/a' }, { href: 'http://h/b' }]);
  });

  it('embeds under the exact rel, always an array, empty included', () => {
    const empty = halDocument({ links: { self: { href: 'http://h/log' } }, embedded: { 'sync:entry': [] } });
    expect(empty._embedded).to.deep.equal({ 'sync:entry': [] });
    const one = halDocument({
      links: { self: { href: 'http://h/log' } },
      embedded: { 'sync:entry': [{ properties: { itemId: 'a' }, links: { self: { href: 'http://h/a' }, 'sync:item': { href: 'http://h/a' } } }] },
    });
    expect(one._embedded).to.deep.equal({ 'sync:entry': [{ itemId: 'a', _links: { self: { href: 'http://h/a' }, 'sync:item': { href: 'http://h/a' } } }] });
  });
});
