import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { syncStore } from '../../lib/client/connect.js';
import { HttpClient } from '../../lib/client/http.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { SqliteStore } from '../../lib/store/sqlite.js';
import { startNode } from '../support/server.js';
import { contents, put } from '../support/sync.js';

/**
 * Many clients against one node (SQLite): each round, every client writes a few items of its
 * own and some write shared ones, then all sync at once. The only errors allowed are 409s,
 * which the engine retries; in the end every client holds what the node holds. Figures are
 * printed, not asserted.
 */
const CLIENTS = 50;
const ROUNDS = 5;
const OWN_PER_ROUND = 3;
const SHARED = 5;
const id = (group: number, n: number) => `00000000-0000-4000-a${String(group).padStart(3, '0')}-${String(n).padStart(12, '0')}`;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

describe('reliability: load', function () {
  this.timeout(60_000);

  it(`${CLIENTS} clients × ${ROUNDS} rounds against one node converge; 409s are retried to success`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'halsync-load-'));
    const store = SqliteStore.open(join(dir, 'node.db'));
    const node = await startNode({ store });
    const clients = Array.from({ length: CLIENTS }, () => new MemoryStore());
    const latencies: number[] = [];
    let requests = 0;
    let retries = 0;
    let syncs = 0;
    const started = Date.now();
    try {
      for (let round = 0; round < ROUNDS; round++) {
        await Promise.all(
          clients.map(async (client, c) => {
            for (let k = 0; k < OWN_PER_ROUND; k++) await put(client, id(c, round * OWN_PER_ROUND + k), { client: c, round, k });
            // A fifth of the clients write the same shared items each round: their pushes collide.
            if (c % 5 === round % 5) await put(client, id(999, c % SHARED), { client: c, round });
            const began = Date.now();
            const http = new HttpClient({ concurrency: 2 });
            try {
              const report = await syncStore(client, node.url, { http, maxRetries: 30, backoffMs: 10 });
              requests += report.requests;
              retries += report.retries;
            } finally {
              http.close();
            }
            latencies.push(Date.now() - began);
            syncs++;
          }),
        );
      }
      const ms = Date.now() - started;
      // Two quiet passes: the first brings every client's last writes to the node, the second brings them to every client.
      for (let pass = 0; pass < 2; pass++) for (const client of clients) await syncStore(client, node.url);
      const expected = await contents(store);
      expect(Object.keys(expected).length).to.equal(CLIENTS * ROUNDS * OWN_PER_ROUND + SHARED);
      for (const [c, client] of clients.entries()) expect(await contents(client), `client ${c} converged`).to.deep.equal(expected);

      latencies.sort((a, b) => a - b);
      console.log(
        `      ${syncs} syncs in ${ms} ms: ${((syncs * 1000) / ms).toFixed(1)} syncs/s, ${((requests * 1000) / ms).toFixed(0)} requests/s, ` +
          `latency p50 ${percentile(latencies, 50)} ms, p99 ${percentile(latencies, 99)} ms, ${retries} retries after 409`,
      );
    } finally {
      await node.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
