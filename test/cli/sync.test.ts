import assert from 'node:assert/strict';
import { halsync } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put, stateFile, versions } from '../support/sync.js';

describe('client/sync-command (halsync sync)', () => {
  let node: StartedNode;
  beforeEach(async () => {
    node = await startNode();
  });
  afterEach(async () => {
    await node.close();
  });

  it('syncs a store with a node and prints the report as one JSON object', async () => {
    for (let i = 0; i < 2; i++) await put(node.store, newId(), { i });
    const { code, stdout } = await halsync(['sync', node.url, '--store', 'memory:', '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(stdout);
    assert.equal(report.pulled, 2);
    assert.equal(report.pushed, 0);
    for (const key of ['deleted', 'conflicts', 'decisions', 'retries', 'requests', 'bytes', 'ms']) assert.ok(key in report, key);
  });

  it('syncs two nodes with a state file and prints a one-line summary', async () => {
    const other = await startNode();
    try {
      await put(other.store, newId(), { from: 'other' });
      const state = await stateFile();
      const { code, stdout } = await halsync(['sync', node.url, other.url, '--state', state]);
      assert.equal(code, 0);
      assert.match(stdout, /^synced items: 1 pulled, 0 pushed/);
      assert.equal(stdout.trim().split('\n').length, 1);
      assert.deepEqual(await versions(node.store), await versions(other.store));
      const again = JSON.parse((await halsync(['sync', node.url, other.url, '--state', state, '--json'])).stdout);
      assert.equal(again.pulled + again.pushed, 0);
    } finally {
      await other.close();
    }
  });

  it('fails in one line for an unreachable host', async () => {
    const gone = await startNode();
    await gone.close();
    const { code, stdout, stderr } = await halsync(['sync', gone.url, '--store', 'memory:']);
    assert.equal(code, 1);
    assert.equal(stdout, '');
    assert.match(stderr, /^halsync sync: cannot reach http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\)\n$/);
  });

  it('fails in one line for a collection the root does not publish', async () => {
    const { code, stderr } = await halsync(['sync', node.url, '--store', 'memory:', '--collection', 'nope']);
    assert.equal(code, 1);
    assert.match(stderr, /^halsync sync: http:\/\/127\.0\.0\.1:\d+\/ publishes no collection "nope"\n$/);
  });

  it('fails in one line on 401', async () => {
    const guarded = await startNode({ token: 'sesame' });
    try {
      const { code, stderr } = await halsync(['sync', guarded.url, '--store', 'memory:']);
      assert.equal(code, 1);
      assert.match(stderr, /^halsync sync: .*refused the credentials \(401\)/);
      assert.equal(stderr.trim().split('\n').length, 1);
      assert.equal((await halsync(['sync', guarded.url, '--store', 'memory:', '--token', 'sesame'])).code, 0);
    } finally {
      await guarded.close();
    }
  });
});
