import { expect } from 'chai';
import { HttpClient } from '../../lib/client/http.js';
import { UnexpectedResponse } from '../../lib/client/errors.js';
import { toDocument } from '../../lib/client/resource.js';
import { ScriptedTransport } from '../support/transport.js';

/** Navigation (lib/client/resource.ts): lazy follows along rels, pages along `next`. */
const base = 'http://n.test';

describe('client/resource', () => {
  it('follows rels lazily, one GET per step, expanding templates', async () => {
    const transport = new ScriptedTransport((request) => {
      if (request.url === `${base}/`) return { json: { _links: { 'sync:collection': [{ href: '/items', name: 'items' }] } } };
      if (request.url === `${base}/items`) return { json: { _links: { 'sync:transactions': { href: '/items/log{?limit}', templated: true } } } };
      return { json: { url: request.url } };
    });
    const client = new HttpClient({ transport });
    const log = await client.root(`${base}/`).follow('sync:collection', { name: 'items' }).follow('sync:transactions', { limit: 2 }).get();
    expect(log.body.url).to.equal(`${base}/items/log?limit=2`);
    expect(transport.sent).to.have.length(3);
  });

  it('pages along next links, and refuses a page that links to itself', async () => {
    const pages: Record<string, unknown> = {
      [`${base}/p1`]: { n: 1, _links: { next: { href: '/p2' } } },
      [`${base}/p2`]: { n: 2, _links: { next: { href: '/p2' } } },
    };
    const client = new HttpClient({ transport: new ScriptedTransport((r) => ({ json: pages[r.url] })), trust: [base] });
    const seen: unknown[] = [];
    const error = await (async () => {
      for await (const page of client.resource(`${base}/p1`).pages()) seen.push(page.body.n);
    })().catch((e: unknown) => e);
    expect(seen).to.deep.equal([1, 2]);
    expect(error).to.be.instanceOf(UnexpectedResponse);
    expect((error as Error).message).to.contain(`${base}/p2`);
  });

  it('reads only JSON as a document, naming the URI otherwise', () => {
    const html = { method: 'GET', uri: `${base}/x`, status: 200, headers: { 'content-type': 'text/html' }, body: new TextEncoder().encode('<html>') };
    expect(() => toDocument(html)).to.throw(UnexpectedResponse, `${base}/x`);
  });
});
