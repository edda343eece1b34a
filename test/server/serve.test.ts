import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '../support/http.js';
import { startNode } from '../support/server.js';

const CLI = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

interface Running {
  child: ChildProcess;
  /** The URL the node printed; rejects when it exits first. */
  started: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

function run(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const url = /http:\/\/\S+\//.exec(stdout)?.[0];
      if (url) resolve(url);
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  // Tests of failed starts wait on `exited` only.
  started.catch(() => undefined);
  return { child, started, exited };
}

describe('halsync serve', function () {
  this.timeout(20000);
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'halsync-serve-'))));
  after(async () => rm(dir, { recursive: true, force: true }));

  it('serves a memory store, prints its URL, answers / and exits 0 on SIGTERM', async () => {
    const node = run(['--store', 'memory:', '--port', '0']);
    const url = await node.started;
    const root = await request(url);
    expect(root.status).to.equal(200);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items']);
    node.child.kill('SIGTERM');
    expect((await node.exited).code).to.equal(0);
  });

  it('publishes each --collection with its schema file', async () => {
    await writeFile(join(dir, 'note.json'), JSON.stringify({ type: 'object', required: ['text'] }));
    const node = run(['--store', 'memory:', '--port', '0', '--collection', 'items', '--collection', `notes=${join(dir, 'note.json')}`]);
    const url = await node.started;
    const root = await request(url);
    expect(root.json._links['sync:collection'].map((l: { name: string }) => l.name)).to.deep.equal(['items', 'notes']);
    expect((await request(`${url}notes`, { method: 'POST', body: { data: { x: 1 } } })).status).to.equal(422);
    expect((await request(`${url}items`, { method: 'POST', body: { data: { x: 1 } } })).status).to.equal(201);
    node.child.kill('SIGINT');
    expect((await node.exited).code).to.equal(0);
  });

  it('exits 1 with one line when the store cannot open', async () => {
    const node = run(['--store', 'nosuch://x', '--port', '0']);
    const { code, stderr } = await node.exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
    expect(stderr).to.match(/store/);
  });

  it('exits 1 with one line when the port is taken', async () => {
    const busy = await startNode();
    try {
      const node = run(['--store', 'memory:', '--port', new URL(busy.url).port]);
      const { code, stderr } = await node.exited;
      expect(code).to.equal(1);
      expect(stderr.trim().split('\n')).to.have.lengthOf(1);
      expect(stderr).to.match(/in use/);
    } finally {
      await busy.close();
    }
  });

  it('exits 1 with one line when a schema file is missing', async () => {
    const node = run(['--store', 'memory:', '--port', '0', '--collection', `notes=${join(dir, 'missing.json')}`]);
    const { code, stderr } = await node.exited;
    expect(code).to.equal(1);
    expect(stderr.trim().split('\n')).to.have.lengthOf(1);
  });
});
