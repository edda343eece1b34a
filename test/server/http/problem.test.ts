import { expect } from 'chai';
import { StoreUnavailable } from '../../../lib/store/errors.js';
import { MemoryStore } from '../../../lib/store/memory.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

/** A store whose reads fail with internals a client must never see. */
class BrokenStore extends MemoryStore {
  override async changes(): Promise<never> {
    throw new Error('connection to db-internal.example:5432 refused (password=hunter2)');
  }
}

describe('server: problem+json', () => {
  let node: StartedNode;
  afterEach(async () => node.close());

  it('answers an unknown route with a 404 problem', async () => {
    node = await startNode();
    for (const path of ['a/b/c/d', 'items/', 'items/transactions/x']) {
      const problem = expectProblem(await request(node.url + path), 404, 'not-found');
      expect(problem['instance']).to.equal(`/${path}`);
    }
  });

  it('answers a wrong method with 405 and Allow', async () => {
    node = await startNode();
    const cases: Array<[string, string, string]> = [
      ['', 'POST', 'GET, HEAD, OPTIONS'],
      ['items', 'DELETE', 'GET, POST, HEAD, OPTIONS'],
      ['items/transactions', 'POST', 'GET, PUT, HEAD, OPTIONS'],
      ['items/00000000-0000-4000-8000-000000000001', 'POST', 'GET, PUT, DELETE, HEAD, OPTIONS'],
      ['rels/item', 'PUT', 'GET, HEAD, OPTIONS'],
    ];
    for (const [path, method, allow] of cases) {
      const reply = await request(node.url + path, { method, body: {} });
      expectProblem(reply, 405, 'method-not-allowed');
      expect(reply.headers.allow, path).to.equal(allow);
    }
  });

  it('answers OPTIONS with Allow, HEAD like GET without a body', async () => {
    node = await startNode();
    const options = await request(`${node.url}items`, { method: 'OPTIONS' });
    expect(options.status).to.equal(204);
    expect(options.headers.allow).to.equal('GET, POST, HEAD, OPTIONS');
    const head = await request(node.url, { method: 'HEAD' });
    expect(head.status).to.equal(200);
    expect(head.headers['content-type']).to.match(/hal\+json/);
    expect(head.text).to.equal('');
  });

  it('turns an unexpected failure into a 500 problem that leaks nothing, and reports it to the app', async () => {
    node = await startNode({ store: new BrokenStore() });
    const reported: unknown[] = [];
    // startNode's listener would record it and fail this test; this test wants to see it reported.
    node.app.removeAllListeners('error');
    node.app.on('error', (err) => reported.push(err));
    const reply = await request(`${node.url}items/transactions`);
    expectProblem(reply, 500, 'internal-error');
    expect(reply.text).not.to.match(/db-internal|hunter2|Error|at /);
    expect(reported).to.have.lengthOf(1);
  });

  it('answers a store that went away as a 503 store-unavailable problem, and reports it to the app', async () => {
    class GoneStore extends MemoryStore {
      override async changes(): Promise<never> {
        throw new StoreUnavailable('postgres', new Error('connection terminated'));
      }
    }
    node = await startNode({ store: new GoneStore() });
    const reported: unknown[] = [];
    node.app.removeAllListeners('error');
    node.app.on('error', (err) => reported.push(err));
    const problem = expectProblem(await request(`${node.url}items/transactions`), 503, 'store-unavailable');
    const reply = await request(`${node.url}items/transactions`);
    expect(reply.headers['retry-after']).to.equal('1');
    expect(problem['detail']).to.equal('store postgres is unavailable: connection terminated');
    expect(reported)
      .to.have.lengthOf(2)
      .and.to.satisfy((errors: unknown[]) => errors.every((e) => e instanceof StoreUnavailable));
  });

  it('keeps Vary: Accept on failed GETs', async () => {
    node = await startNode();
    const reply = await request(`${node.url}nope`);
    expect(reply.headers.vary).to.match(/Accept/);
  });
});

describe('server: bearer token', () => {
  let node: StartedNode;
  beforeEach(async () => (node = await startNode({ token: 's3cret' })));
  afterEach(async () => node.close());

  it('answers 401 without the token or with a wrong one, and nothing is written', async () => {
    const attempts: Array<Record<string, string>> = [{}, { Authorization: 'Bearer nope' }, { Authorization: 'Basic czNjcmV0' }];
    for (const headers of attempts) {
      const reply = await request(`${node.url}items/00000000-0000-4000-8000-000000000001`, { method: 'PUT', headers, body: { data: {} } });
      expectProblem(reply, 401, 'unauthorized');
      expect(reply.headers['www-authenticate']).to.match(/^Bearer/);
    }
    expect(await node.store.highWater()).to.equal(0);
  });

  it('serves everything with the right token', async () => {
    const reply = await request(node.url, { headers: { Authorization: 'Bearer s3cret' } });
    expect(reply.status).to.equal(200);
  });
});
