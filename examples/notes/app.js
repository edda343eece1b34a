// The notes page: notes live in IndexedDB (an IdbStore), are edited there whether or not the
// node can be reached, and a live sync keeps them in step with the node while it can.
import { IdbStore, LocalItems, syncStore } from './halsync.js';

const COLLECTION = 'notes';
const { node } = await (await fetch('./config.json')).json();
const store = await IdbStore.open('notes');
const notes = new LocalItems(store);
const $ = (id) => document.getElementById(id);
const state = { syncs: 0, conflicts: [], lastError: null, report: null };

/** Redraws the list from the store; a note being typed in keeps what the user typed. */
async function render() {
  const list = $('notes');
  const items = await notes.list(COLLECTION);
  const shown = new Map([...list.children].map((li) => [li.dataset.id, li]));
  for (const item of items) {
    let li = shown.get(item.itemId);
    shown.delete(item.itemId);
    if (!li) {
      li = document.createElement('li');
      li.dataset.id = item.itemId;
      const text = document.createElement('textarea');
      text.addEventListener('input', () => void notes.put(COLLECTION, item.itemId, { text: text.value }));
      const remove = document.createElement('button');
      remove.textContent = 'Delete';
      remove.addEventListener('click', () => void notes.delete(COLLECTION, item.itemId));
      li.append(text, remove);
      list.append(li);
    }
    const text = li.querySelector('textarea');
    if (document.activeElement !== text && text.value !== item.data.text) text.value = item.data.text;
  }
  for (const li of shown.values()) li.remove();
  const conflicts = $('conflicts');
  conflicts.replaceChildren(
    ...state.conflicts.map((c) => {
      const li = document.createElement('li');
      li.textContent = `${c.at}: note ${c.itemId.slice(0, 8)}… edited on both sides (${c.rule}); the ${c.winner} version was kept`;
      return li;
    }),
  );
}

function showStatus() {
  const online = navigator.onLine && state.lastError === null;
  const status = $('status');
  status.className = online ? 'online' : 'offline';
  status.textContent = online
    ? `in sync with ${node} (${state.syncs} syncs${state.report ? `, last ${state.report.ms} ms` : ''})`
    : `offline: editing locally${state.lastError ? ` (${state.lastError})` : ''}; changes sync when the node is back`;
}

let live;
/** (Re)starts the live sync: at once when the page comes back online, rather than at the next retry. */
function startSync() {
  live?.abort();
  const controller = (live = new AbortController());
  syncStore(store, node, {
    collections: [COLLECTION],
    live: true,
    signal: controller.signal,
    waitSeconds: 20,
    onSync: (report) => {
      state.syncs++;
      state.report = report;
      state.lastError = null;
      const at = new Date().toLocaleTimeString();
      for (const d of report.decisions) if (d.rule !== 'equal' && d.rule !== 'one-side') state.conflicts.unshift({ ...d, at });
      showStatus();
      void render();
    },
    onRetry: (error) => {
      state.lastError = error.name;
      showStatus();
    },
  }).catch((error) => {
    if (controller.signal.aborted) return;
    state.lastError = String(error);
    showStatus();
  });
}

$('add').addEventListener('click', async () => {
  await notes.put(COLLECTION, crypto.randomUUID(), { text: '' });
});
await notes.subscribe(COLLECTION, () => void render());
window.addEventListener('online', startSync);
window.addEventListener('offline', showStatus);
await render();
showStatus();
startSync();

// The page's files for a reload while offline (sw.js); the notes are in IndexedDB already.
if ('serviceWorker' in navigator) await navigator.serviceWorker.register('./sw.js').catch(() => undefined);

// For the end-to-end test (test/examples/notes.test.ts) and the console.
window.notesApp = { store, notes, state, COLLECTION, list: () => notes.list(COLLECTION) };
