'use strict';
// What both PouchDB processes share: a memory PouchDB and the IPC questions the bench asks.
const PouchDB = require('pouchdb');
PouchDB.plugin(require('pouchdb-adapter-memory'));

const MemoryPouch = PouchDB.defaults({ adapter: 'memory' });

/** Writes the bench's edits: `{ id, data }` creates or replaces, `{ id, data: null }` deletes; each over the present revision. */
async function write(db, changes) {
  const existing = await db.allDocs({ keys: changes.map((c) => c.id) });
  const revs = new Map(existing.rows.filter((row) => row.value).map((row) => [row.id, row.value.rev]));
  const docs = changes.map(({ id, data }) => {
    const rev = revs.get(id);
    const doc = data === null ? { _id: id, _deleted: true } : { _id: id, ...data };
    return rev ? { ...doc, _rev: rev } : doc;
  });
  for (let at = 0; at < docs.length; at += 5000) {
    const results = await db.bulkDocs(docs.slice(at, at + 5000));
    const failed = results.filter((r) => r.error);
    if (failed.length) throw new Error(`bulkDocs refused ${failed.length} docs: ${failed[0].message}`);
  }
}

/** Docs holding a conflict (PouchDB keeps both revisions and picks a winner deterministically). */
async function conflicts(db) {
  const all = await db.allDocs({ include_docs: true, conflicts: true });
  return all.rows.filter((row) => row.doc && row.doc._conflicts && row.doc._conflicts.length).length;
}

/** Answers the parent's questions over IPC, one at a time; a failure is an answer too. */
function answer(handlers) {
  process.on('message', async (message) => {
    try {
      process.send({ ok: true, ...(await handlers[message.op](message)) });
    } catch (error) {
      process.send({ ok: false, error: String((error && error.stack) || error) });
    }
  });
}

/** Peak RSS as the kernel keeps it (VmHWM; writing 5 to clear_refs resets it): exact, and no sampling on the event loop. */
function peakSampler() {
  const { readFileSync, writeFileSync } = require('node:fs');
  const read = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  const reset = () => writeFileSync('/proc/self/clear_refs', '5');
  return { read, reset };
}

module.exports = { PouchDB, MemoryPouch, write, conflicts, answer, peakSampler };
