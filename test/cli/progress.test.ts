import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { nextState, progressLine, type ProgressState } from '../../lib/cli/progress.js';
import type { SyncProgress } from '../../lib/client/sync.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { syncStore } from '../../lib/client/connect.js';
import { CLI } from '../support/serve.js';
import { startNode } from '../support/server.js';
import { newId, put } from '../support/sync.js';

/** The lines a run of events shows, one per event. */
function lines(events: SyncProgress[]): string[] {
  let state: ProgressState | undefined;
  return events.map((event) => progressLine((state = nextState(state, event)), 10));
}

describe('halsync sync: the progress display', function () {
  this.timeout(30000);

  it('shows what each step does, with totals when they are known', () => {
    expect(
      lines([
        { collection: 'items', step: 1, done: 0 },
        { collection: 'items', step: 1, done: 100 },
        { collection: 'items', step: 2, done: 0, total: 40 },
        { collection: 'items', step: 2, done: 10, total: 40 },
        { collection: 'items', step: 2, done: 40, total: 40 },
        { collection: 'items', step: 3, done: 0, total: 0 },
        { collection: 'items', step: 4, done: 0, total: 40 },
        { collection: 'items', step: 4, done: 40, total: 40 },
      ]),
    ).to.deep.equal([
      'items · step 1/4 reading logs · 0 entries read',
      'items · step 1/4 reading logs · 100 entries read',
      'items · step 2/4 fetching data [░░░░░░░░░░] 0/40 items fetched',
      'items · step 2/4 fetching data [███░░░░░░░] 10/40 items fetched',
      'items · step 2/4 fetching data [██████████] 40/40 items fetched',
      'items · step 3/4 pushing · nothing to do',
      'items · step 4/4 applying locally [░░░░░░░░░░] 0/40 entries applied',
      'items · step 4/4 applying locally [██████████] 40/40 entries applied',
    ]);
  });

  it('a first sync pulled page by page stays on step 4 with no total, counting what it read and applied', () => {
    expect(
      lines([
        { collection: 'notes', step: 1, done: 0 },
        { collection: 'notes', step: 1, done: 100 },
        { collection: 'notes', step: 1, done: 200 },
        { collection: 'notes', step: 4, done: 100 },
        { collection: 'notes', step: 1, done: 300 },
        { collection: 'notes', step: 4, done: 200 },
        // A restart (or the next collection) begins again at step 1.
        { collection: 'notes', step: 1, done: 0 },
        { collection: 'items', step: 1, done: 5 },
      ]),
    ).to.deep.equal([
      'notes · step 1/4 reading logs · 0 entries read',
      'notes · step 1/4 reading logs · 100 entries read',
      'notes · step 1/4 reading logs · 200 entries read',
      'notes · step 4/4 applying locally · 100 entries applied (200 read)',
      'notes · step 4/4 applying locally · 100 entries applied (300 read)',
      'notes · step 4/4 applying locally · 200 entries applied (300 read)',
      'notes · step 1/4 reading logs · 0 entries read',
      'items · step 1/4 reading logs · 5 entries read',
    ]);
  });

  it('the engine reports entries read, items fetched in slices and entries applied, with the totals it knows', async () => {
    const node = await startNode();
    try {
      const local = new MemoryStore();
      // One item already here: the pull takes the ordinary path (not page by page) and fetches.
      await put(local, newId(), { local: true });
      for (let i = 0; i < 450; i++) await put(node.store, newId(), { i });
      const events: SyncProgress[] = [];
      await syncStore(local, node.url, { pageSize: 200, embed: false, onProgress: (e) => events.push(e) });
      const of = (step: number) => events.filter((e) => e.step === step).map((e) => [e.done, e.total]);
      // Both logs, page by page (local 1; remote 200, 200, 50), no total while reading.
      expect(of(1)).to.deep.equal([
        [0, undefined],
        [1, undefined],
        [201, undefined],
        [401, undefined],
        [451, undefined],
      ]);
      // Without embedded data the items are fetched in slices of 200 (DATA_SLICE), then the step ends.
      expect(of(2)).to.deep.equal([
        [0, 451],
        [200, 451],
        [400, 451],
        [450, 451],
        [451, 451],
      ]);
      expect(of(3)).to.deep.equal([
        [0, 1],
        [1, 1],
      ]);
      expect(of(4)).to.deep.equal([
        [0, 450],
        [450, 450],
      ]);
    } finally {
      await node.close();
    }
  });

  it('draws the display on a terminal (a pseudo-TTY) and prints the summary', async function () {
    const node = await startNode();
    try {
      for (let i = 0; i < 5; i++) await put(node.store, newId(), { i });
      const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} sync ${node.url} --store memory:`;
      let out: string;
      try {
        // util-linux `script` gives the command a terminal, as a user's shell would.
        ({ stdout: out } = await promisify(execFile)('script', ['-qec', command, '/dev/null'], { env: { ...process.env, HALSYNC_TOKEN: '', TERM: 'xterm' } }));
      } catch (error) {
        if ((error as { code?: string }).code === 'ENOENT') return this.skip();
        throw error;
      }
      expect(out).to.match(/items · step 1\/4 reading logs · \d+ entries read/);
      expect(out).to.match(/synced items: 5 pulled, 0 pushed/);
      // Not a TTY: no display at all, only the summary.
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'sync', node.url, '--store', 'memory:'], {
        env: { ...process.env, HALSYNC_TOKEN: '' },
      });
      expect(stderr).to.equal('');
      expect(stdout).to.match(/^synced items: 5 pulled/);
    } finally {
      await node.close();
    }
  });
});
