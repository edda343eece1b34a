import { expect } from 'chai';
import { expectRejection } from '../support/expect.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncNodes, syncStore } from '../../lib/client/connect.js';
import { HttpClient } from '../../lib/client/http.js';
import type { SyncReport } from '../../lib/client/report.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import type { Store } from '../../lib/store/store.js';
import { request } from '../support/http.js';
import { CLI } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, put, stateFile, versions } from '../support/sync.js';
import { until } from '../support/until.js';

/**
 * Live sync over real HTTP. Each live sync here waits 30 s per long poll, so a change that
 * arrives within the few seconds `until` allows was carried by a wake-up, not by polling.
 */

async function same(a: Store, b: Store): Promise<boolean> {
  return JSON.stringify(await versions(a)) === JSON.stringify(await versions(b));
}

describe('client/live (sync --live)', () => {
  const nodes: StartedNode[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((node) => node.close()));
  });
  async function node(options: Parameters<typeof startNode>[0] = {}): Promise<StartedNode> {
    const started = await startNode(options);
    nodes.push(started);
    return started;
  }

  it('store↔node: carries writes on either side to the other, then stops cleanly', async () => {
    const remote = await node();
    const local = new MemoryStore();
    await put(remote.store, newId(), { before: true });
    const stop = new AbortController();
    const syncs: SyncReport[] = [];
    const running = syncStore(local, remote.url, { live: true, signal: stop.signal, onSync: (r) => syncs.push(r) });
    try {
      await until(() => syncs.length === 1, { message: 'the first sync' });
      expect(syncs[0]!.pulled).to.equal(1);

      const fromRemote = newId();
      expect((await request(`${remote.url}items/${fromRemote}`, { method: 'PUT', body: { data: { side: 'remote' } } })).status).to.equal(201);
      await until(async () => (await contents(local))[fromRemote] !== undefined, { message: 'the remote write reaches the local store' });

      const fromLocal = newId();
      await put(local, fromLocal, { side: 'local' });
      await until(async () => (await contents(remote.store))[fromLocal] !== undefined, { message: 'the local write reaches the node' });
      await until(() => same(local, remote.store), { message: 'both sides agree' });
      await until(() => syncs.reduce((n, r) => n + r.pushed, 0) === 1, { message: 'the push is reported' });
    } finally {
      stop.abort();
    }
    const total = await running;
    expect(total.pulled).to.equal(2);
    expect(total.pushed).to.equal(1);
    expect(total.requests > 0).to.be.ok;
  });

  it('node↔node: carries writes on both nodes, and an idle live sync only long-polls', async () => {
    const [a, b] = [await node(), await node()];
    const state = await stateFile();
    const stop = new AbortController();
    const syncs: SyncReport[] = [];
    const http = new HttpClient();
    const running = syncNodes(a.url, b.url, { state, http, live: true, signal: stop.signal, waitSeconds: 1, onSync: (r) => syncs.push(r) });
    try {
      await until(() => syncs.length === 1, { message: 'the first sync' });
      const [onA, onB] = [newId(), newId()];
      await Promise.all([
        request(`${a.url}items/${onA}`, { method: 'PUT', body: { data: { on: 'a' } } }),
        request(`${b.url}items/${onB}`, { method: 'PUT', body: { data: { on: 'b' } } }),
      ]);
      await until(async () => Object.keys(await contents(a.store)).length === 2 && (await same(a.store, b.store)), { message: 'both writes on both nodes' });

      // Idle: one long poll per wait period (1 s) per side, not a busy loop.
      await until(async () => syncs.length >= 2 && (await same(a.store, b.store)), { message: 'the sync after the writes' });
      // Wait for two more long polls per side; a busy loop would make them at once, not in >= 1 s.
      const [syncsBefore, requestsBefore, since] = [syncs.length, http.stats.requests, Date.now()];
      await until(() => http.stats.requests - requestsBefore >= 4, { timeout: 10_000, message: 'four more long polls' });
      const elapsed = Date.now() - since;
      expect(elapsed, `${http.stats.requests - requestsBefore} requests of 1 s waits on two sides took ${elapsed} ms`).to.be.at.least(900);
      expect(syncs.length, 'an idle live sync runs no sync').to.equal(syncsBefore);
    } finally {
      stop.abort();
    }
    await running;
    http.close();
  });

  it('survives the remote restarting: backs off, then resumes from its checkpoint', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-live-'));
    const file = join(dir, 'remote.db');
    let remote = await node({ store: SqliteStore.open(file) });
    const port = Number(new URL(remote.url).port);
    const local = new MemoryStore();
    await put(remote.store, newId(), { first: true });
    const stop = new AbortController();
    const syncs: SyncReport[] = [];
    const retries: Error[] = [];
    const running = syncStore(local, remote.url, {
      live: true,
      signal: stop.signal,
      retryMs: 50,
      onSync: (r) => syncs.push(r),
      onRetry: (error) => retries.push(error),
    });
    try {
      await until(() => syncs.length === 1, { message: 'the first sync' });
      await remote.close();
      await remote.store.close();
      const whileDown = newId();
      await put(local, whileDown, { written: 'while the remote was down' });
      await until(() => retries.length > 0, { message: 'a failed try' });

      remote = await node({ store: SqliteStore.open(file), port });
      await until(async () => (await contents(remote.store))[whileDown] !== undefined, { message: 'the write made while down reaches the restarted node' });
      const afterRestart = newId();
      await put(remote.store, afterRestart, { written: 'after the restart' });
      await until(async () => (await contents(local))[afterRestart] !== undefined, { message: 'a write on the restarted node reaches the local store' });
      // The same database: the saved cursor is still good, so no sync read a whole log again.
      expect(syncs.every((r) => !r.fullResync)).to.be.ok;
    } finally {
      stop.abort();
      await running.catch(() => undefined);
      await remote.close();
      await remote.store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('stops after the step in progress when aborted mid-sync, and a later sync finishes the job', async () => {
    const remote = await node();
    const local = new MemoryStore();
    for (let i = 0; i < 3; i++) await put(remote.store, newId(), { i });
    const stop = new AbortController();
    const steps: number[] = [];
    const total = await syncStore(local, remote.url, {
      live: true,
      signal: stop.signal,
      afterStep: (step) => {
        steps.push(step);
        if (step === 2) stop.abort();
      },
    });
    expect(steps).to.deep.equal([1, 2]);
    expect(total.pulled).to.equal(0);
    expect(await contents(local)).to.deep.equal({});
    const once = await syncStore(local, remote.url);
    expect(once.pulled).to.equal(3);
  });

  it('halsync sync --live prints one line per sync and stops cleanly on SIGINT', async () => {
    const remote = await node();
    await put(remote.store, newId(), { before: true });
    const child = spawn(process.execPath, [CLI, 'sync', remote.url, '--store', 'memory:', '--live', '--json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HALSYNC_TOKEN: '' },
    });
    const lines: string[] = [];
    let stderr = '';
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      await until(() => lines.length === 1, { timeout: 10_000, message: 'the first sync is printed' });
      expect(JSON.parse(lines[0]!).pulled).to.equal(1);
      await request(`${remote.url}items/${newId()}`, { method: 'PUT', body: { data: { during: true } } });
      await until(() => lines.length === 2, { message: 'the sync of the new write is printed' });
      expect(JSON.parse(lines[1]!).pulled).to.equal(1);
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited, stderr).to.equal(0);
    expect(stderr).to.match(/SIGINT, stopping/);
    expect(lines.length).to.equal(2);
  });

  it('ends with the error when the failure is not one a retry cures', async () => {
    const remote = await node();
    await expectRejection(syncStore(new MemoryStore(), remote.url, { live: true, collections: ['nope'] }), Error, { message: /nope/ });
  });
});
