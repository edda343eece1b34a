// Makes dist/lib/bin/command.cache, the V8 code cache the bundled `halsync` starts with
// (lib/cli/code-cache.ts): runs command.cjs as the bin does, `halsync sync A B --json` for a
// first sync both ways with a few conflicts and then for a no-op, between two memory nodes on
// loopback, and saves the cache of what ran. Run by scripts/bundle-cli.mjs, in a process of its own: V8 keys a cache to the flags of
// the process that made it, and this one has none, as the command has none.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileCommand } from '../dist/lib/cli/code-cache.js';
import { fingerprint } from '../dist/lib/entries/client.js';
import { createApp, listen, MemoryStore } from '../dist/lib/entries/server.js';

const ITEMS = 50;
const CONFLICTS = 5;

async function startNode() {
  const store = new MemoryStore();
  const app = createApp({ store });
  const listening = await listen(app);
  return { store, url: listening.url, close: () => listening.close() };
}

async function write(store, itemId, data) {
  const outcome = await store.apply('items', [
    { itemId, data, deleted: false, fingerprint: fingerprint(data), updatedAt: null, precondition: { kind: 'none' } },
  ]);
  if (!outcome.ok) throw new Error('a training write was refused');
}

const command = compileCommand(new URL('../dist/lib/bin/command.cjs', import.meta.url));
const a = await startNode();
const b = await startNode();
const dir = mkdtempSync(join(tmpdir(), 'halsync-train-'));
try {
  for (let i = 0; i < ITEMS; i++) {
    await write(a.store, randomUUID(), { side: 'a', i });
    await write(b.store, randomUUID(), { side: 'b', i });
  }
  for (let i = 0; i < CONFLICTS; i++) {
    const itemId = randomUUID();
    await write(a.store, itemId, { conflict: i, side: 'a' });
    await write(b.store, itemId, { conflict: i, side: 'b' });
  }
  const argv = [process.execPath, 'halsync', 'sync', a.url, b.url, '--state', join(dir, 'state.json'), '--json'];
  for (const round of ['first', 'no-op']) {
    await command.exports.runCommand(argv);
    if (process.exitCode) throw new Error(`the ${round} training sync exited with ${process.exitCode}`);
  }
  command.saveCache();
} finally {
  await a.close();
  await b.close();
  rmSync(dir, { recursive: true, force: true });
}
