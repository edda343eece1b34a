'use strict';
// The PouchDB side's client: a memory PouchDB that syncs (both directions, one shot) with
// the server's database, as an app embedding PouchDB does.
const { PouchDB, MemoryPouch, write, conflicts, answer, peakSampler } = require('./common.js');

const db = new MemoryPouch('local');
const peak = peakSampler();

answer({
  write: async ({ changes }) => (await write(db, changes), {}),
  sync: async ({ url }) => {
    const started = performance.now();
    const result = await db.sync(new PouchDB(url, { skip_setup: true }));
    return { ms: performance.now() - started, pulled: result.pull.docs_written, pushed: result.push.docs_written };
  },
  stats: async () => ({ cpu: process.cpuUsage(), rss: peak.read() }),
  'reset-peak': async () => (peak.reset(), {}),
  conflicts: async () => ({ conflicts: await conflicts(db) }),
  count: async () => ({ docs: (await db.info()).doc_count }),
  exit: async () => (setImmediate(() => process.exit(0)), {}),
});
