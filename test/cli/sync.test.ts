import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { emptyReport } from '../../lib/client/report.js';
import { CLI, halsync } from '../support/serve.js';
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
    expect(code).to.equal(0);
    const report = JSON.parse(stdout);
    expect(report.pulled).to.equal(2);
    expect(report.pushed).to.equal(0);
    for (const key of ['deleted', 'conflicts', 'decisions', 'retries', 'requests', 'bytes', 'ms']) expect(key in report, key).to.be.ok;
  });

  it('lists every decision of a first sync pulled page by page once under --json, spooled to a file it removes', async () => {
    const paged = await startNode({ maxPageSize: 5 });
    const spoolDir = await mkdtemp(join(tmpdir(), 'halsync-spool-test-'));
    try {
      const ids = Array.from({ length: 12 }, () => newId());
      for (const id of ids) await put(paged.store, id, { id });
      const { code, stdout } = await halsync(['sync', paged.url, '--store', 'memory:', '--json'], { env: { TMPDIR: spoolDir } });
      expect(code).to.equal(0);
      const report = JSON.parse(stdout);
      expect(report.pulled).to.equal(12);
      expect(report.requests).to.be.above(4);
      expect(report.decisions.map((d: { itemId: string }) => d.itemId).sort()).to.deep.equal([...ids].sort());
      expect(new Set(report.decisions.map((d: { rule: string; winner: string }) => `${d.winner} ${d.rule}`))).to.deep.equal(new Set(['remote one-side']));
      expect(Object.keys(report), 'the fields of a report, in its order').to.deep.equal(Object.keys(emptyReport()));
      expect(await readdir(spoolDir)).to.deep.equal([]);
    } finally {
      await paged.close();
      await rm(spoolDir, { recursive: true, force: true });
    }
  });

  it('ends quietly under --json when whoever read its output has gone (`| head`)', async () => {
    // Enough decisions that the report outgrows what the pipe buffers: the reader leaves after
    // the first chunk, and a later write fails.
    for (let i = 0; i < 5000; i++) await put(node.store, newId(), { i });
    const child = spawn(process.execPath, [CLI, 'sync', node.url, '--store', 'memory:', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.once('data', () => child.stdout.destroy());
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(stderr).to.equal('');
    expect(code).to.equal(0);
  });

  it('syncs two nodes with a state file and prints a one-line summary', async () => {
    const other = await startNode();
    try {
      await put(other.store, newId(), { from: 'other' });
      const state = await stateFile();
      const { code, stdout } = await halsync(['sync', node.url, other.url, '--state', state]);
      expect(code).to.equal(0);
      expect(stdout).to.match(/^synced items: 1 pulled, 0 pushed/);
      expect(stdout.trim().split('\n').length).to.equal(1);
      expect(await versions(node.store)).to.deep.equal(await versions(other.store));
      const again = JSON.parse((await halsync(['sync', node.url, other.url, '--state', state, '--json'])).stdout);
      expect(again.pulled + again.pushed).to.equal(0);
    } finally {
      await other.close();
    }
  });

  it('fails in one line for an unreachable host', async () => {
    const gone = await startNode();
    await gone.close();
    const { code, stdout, stderr } = await halsync(['sync', gone.url, '--store', 'memory:']);
    expect(code).to.equal(1);
    expect(stdout).to.equal('');
    expect(stderr).to.match(/^halsync sync: cannot reach http:\/\/127\.0\.0\.1:\d+\/ \(ECONNREFUSED\)\n$/);
  });

  it('fails in one line for a collection the root does not publish', async () => {
    const { code, stderr } = await halsync(['sync', node.url, '--store', 'memory:', '--collection', 'nope']);
    expect(code).to.equal(1);
    expect(stderr).to.match(/^halsync sync: http:\/\/127\.0\.0\.1:\d+\/ publishes no collection "nope"\n$/);
  });

  it('fails in one line on 401', async () => {
    const guarded = await startNode({ token: 'sesame' });
    try {
      const { code, stderr } = await halsync(['sync', guarded.url, '--store', 'memory:']);
      expect(code).to.equal(1);
      expect(stderr).to.match(/^halsync sync: .*refused the credentials \(401\)/);
      expect(stderr.trim().split('\n').length).to.equal(1);
      expect((await halsync(['sync', guarded.url, '--store', 'memory:', '--token', 'sesame'])).code).to.equal(0);
    } finally {
      await guarded.close();
    }
  });
});
