import { expect } from 'chai';
import { fingerprint } from '../../../lib/protocol/fingerprint.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const ITEM = '00000000-0000-4000-8000-000000000001';

describe('server: routing', () => {
  let node: StartedNode;
  afterEach(async () => node.close());

  it('a literal segment wins over a variable: the log and the conflict audit are never items', async () => {
    node = await startNode();
    const log = await request(`${node.url}items/transactions`);
    expect(log.status).to.equal(200);
    expect(log.json).to.have.property('checkpoint');
    const audit = await request(`${node.url}items/conflicts`);
    expect(audit.status).to.equal(200);
    expect(audit.json._links.self.href).to.equal(`${node.url}items/conflicts`);
    // DELETE exists on items, not on the log or the audit: the path is theirs, so the method is wrong (not a bad item id).
    for (const [path, allow] of [
      ['items/transactions', 'GET, PUT, HEAD, OPTIONS'],
      ['items/conflicts', 'GET, POST, HEAD, OPTIONS'],
    ] as const) {
      const reply = await request(node.url + path, { method: 'DELETE' });
      expectProblem(reply, 405, 'method-not-allowed');
      expect(reply.headers.allow, path).to.equal(allow);
      const options = await request(node.url + path, { method: 'OPTIONS' });
      expect(options.status).to.equal(204);
      expect(options.headers.allow, path).to.equal(allow);
    }
    expect(await node.store.highWater()).to.equal(0);
  });

  it('a method no route knows (TRACE, PATCH) is a 405 on a known path and a 404 elsewhere', async () => {
    node = await startNode();
    for (const method of ['TRACE', 'PATCH', 'PROPFIND']) {
      const known = await request(`${node.url}items/${ITEM}`, { method });
      expectProblem(known, 405, 'method-not-allowed');
      expect(known.headers.allow).to.equal('GET, PUT, DELETE, HEAD, OPTIONS');
      expectProblem(await request(`${node.url}nothing/here/at/all`, { method }), 404, 'not-found');
    }
    expectProblem(await request(`${node.url}nothing/here/at/all`, { method: 'OPTIONS' }), 404, 'not-found');
  });

  it('is strict about trailing slashes and case in literal segments', async () => {
    node = await startNode();
    expectProblem(await request(`${node.url}items/`), 404, 'not-found');
    expectProblem(await request(`${node.url}items/transactions/`), 404, 'not-found');
    // `Transactions` is not the log's literal, so it is an item id, and not a UUID.
    expectProblem(await request(`${node.url}items/Transactions`), 400, 'bad-request');
  });

  it('decodes parameters, and a malformed escape is a 400 problem', async () => {
    node = await startNode();
    const data = { text: 'x' };
    const put = await request(`${node.url}items/${ITEM}`, { method: 'PUT', body: { data } });
    expect(put.status).to.equal(201);
    const upper = await request(`${node.url}items/${ITEM.replace(/-/g, '%2D')}`);
    expect(upper.status).to.equal(200);
    expect(upper.json.fingerprint).to.equal(fingerprint(data));
    expectProblem(await request(`${node.url}%zz`), 400, 'bad-request');
    expectProblem(await request(`${node.url}items/%E0%A4%A`), 400, 'bad-request');
    // An escaped slash is no segment boundary: one collection name, which this node does not have.
    expectProblem(await request(`${node.url}items%2F${ITEM}`), 404, 'not-found');
  });

  it('routes configured paths, with characters path-to-regexp would read as syntax kept literal', async () => {
    node = await startNode({
      paths: {
        root: '/api(v1)/',
        collection: '/api(v1)/c/{collection}',
        transactions: '/api(v1)/c/{collection}/log',
        item: '/api(v1)/c/{collection}/i/{itemId}',
        conflicts: '/api(v1)/c/{collection}/audit',
        conflict: '/api(v1)/c/{collection}/audit/{conflictId}',
        restore: '/api(v1)/c/{collection}/audit/{conflictId}/restore',
        job: '/api(v1)/jobs/{jobId}',
        rel: '/api(v1)/rels/{rel}',
        schema: '/api(v1)/schemas/{collection}',
        openapi: '/api(v1)/openapi',
      },
    });
    expect(node.url).to.match(/\/api\(v1\)\/$/);
    const root = await request(node.url);
    expect(root.status).to.equal(200);
    const collection = await request(`${node.url}c/items`);
    expect(collection.status).to.equal(200);
    const logHref: string = collection.json._links['sync:transactions'].href;
    expect(logHref).to.match(/\/api\(v1\)\/c\/items\/log\{/);
    expect((await request(`${node.url}c/items/log`)).status).to.equal(200);
    const put = await request(`${node.url}c/items/i/${ITEM}`, { method: 'PUT', body: { data: { n: 1 } } });
    expect(put.status).to.equal(201);
    expect(put.headers.location).to.equal(`${node.url}c/items/i/${ITEM}`);
    // The default layout is not served beside it.
    expectProblem(await request(new URL('/items/transactions', node.url).href), 404, 'not-found');
    expectProblem(await request(`${node.url}c/items/log`, { method: 'DELETE' }), 405, 'method-not-allowed');
  });
});
