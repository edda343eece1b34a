import { expect } from 'chai';
import { MemoryStore } from '../../lib/store/memory.js';
import { request } from './http.js';
import { hangUpMidBody } from './raw-request.js';
import { startNode, takeServerErrors, type StartedNode } from './server.js';
import { until } from './until.js';

/** A store whose log reads fail: the node's own failure, a 500. */
class BrokenStore extends MemoryStore {
  override async changes(): Promise<never> {
    throw new Error('the disk is on fire');
  }
}

describe('test support: startNode reports server errors, not client ones', () => {
  let node: StartedNode | undefined;
  afterEach(async () => {
    await node?.close();
    node = undefined;
  });

  it('records the error behind a 500, stack and all (the hooks then fail the test)', async () => {
    node = await startNode({ store: new BrokenStore() });
    expect((await request(`${node.url}items/transactions`)).status).to.equal(500);
    const errors = takeServerErrors();
    expect(errors.length).to.equal(1);
    expect(errors[0]!).to.match(/the disk is on fire\n\s+at /);
  });

  it('records nothing for a 4xx, nor for a client that goes away mid-body', async () => {
    node = await startNode();
    expect((await request(`${node.url}items`, { method: 'POST', body: { nope: 1 } })).status).to.equal(422);
    const head = 'PUT /items/transactions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
    await hangUpMidBody(node.url, head, '{"entries":[');
    // The node has seen the hang-up once the connection is gone; one more exchange lets its handling finish.
    await until(async () => (await node!.connections()) === 0, { message: 'the node closed the hung-up connection' });
    expect((await request(node.url)).status).to.equal(200);
    expect(takeServerErrors()).to.deep.equal([]);
  });
});
