import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { syncStore } from '../../lib/client/connect.js';
import type { SyncReport } from '../../lib/client/report.js';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { PostgresStore } from '../../lib/store/postgres.js';
import { request } from '../support/http.js';
import { requirePostgres, testSchema, type TestSchema } from '../support/postgres.js';
import { serve, type ServeProcess } from '../support/serve.js';
import { contents, put, versions } from '../support/sync.js';

/**
 * Scale-out (DESIGN §4): two real `halsync serve` processes on one PostgreSQL schema are one
 * node. Clients reach either process; optimistic locking holds across them, and both serve
 * the same log.
 */

const CLIENTS = 20;
const SHARED = 4;
const ROUNDS = 3;

interface LogEntry {
  itemId: string;
  updatedAt: string;
  fingerprint: string;
  deleted: boolean;
  data: Json;
}

/** A process's whole log, with data, minus the links (each process builds them from its own origin). */
async function wholeLog(root: string): Promise<{ checkpoint: string; entries: LogEntry[] }> {
  const reply = await request(`${root}items/transactions?embed=data&limit=10000`);
  expect(reply.status).to.equal(200);
  expect(reply.json._links.next, 'the log fits one page').to.equal(undefined);
  const entries = (reply.json._embedded['sync:entry'] as LogEntry[]).map(({ itemId, updatedAt, fingerprint, deleted, data }) => ({
    itemId,
    updatedAt,
    fingerprint,
    deleted,
    data,
  }));
  return { checkpoint: reply.json.checkpoint, entries };
}

/** Resolves for everyone once `count` callers have arrived. */
function barrier(count: number): () => Promise<void> {
  let arrived = 0;
  let release!: () => void;
  const all = new Promise<void>((resolve) => (release = resolve));
  return async () => {
    if (++arrived === count) release();
    await all;
  };
}

describe('scale-out: two halsync serve processes on one PostgreSQL schema', function () {
  this.timeout(60_000);
  let schema: TestSchema | undefined;
  let processes: ServeProcess[] = [];
  let roots: string[];
  /** A third connection to the same schema, to read seqs the HTTP log keeps opaque. */
  let direct: PostgresStore | undefined;

  before(async function () {
    await requirePostgres(this, 'the scale-out tests');
    schema = testSchema('scale_out');
    // Both start at once on an empty schema: creating the tables must not race.
    processes = [0, 1].map(() => serve(['--store', schema!.url, '--port', '0']));
    roots = await Promise.all(processes.map((p) => p.started));
    direct = await PostgresStore.open(schema.url);
  });

  after(async function () {
    const codes = await Promise.all(processes.map((p) => p.stop()));
    await direct?.close();
    await schema?.drop();
    expect(
      codes.every((code) => code === 0),
      `serve exit codes ${codes.join(', ')}`,
    ).to.equal(true);
  });

  it('serves one node: the same store from both processes', async () => {
    const [a, b] = await Promise.all(roots.map(wholeLog));
    expect(a!.checkpoint).to.equal(b!.checkpoint);
  });

  it('racing sync-log PUTs with the same base, one to each process: exactly one 200, the other 409', async () => {
    const won = [0, 0];
    for (let round = 0; round < 8; round++) {
      const itemId = randomUUID();
      const created = await request(`${roots[round % 2]}items/${itemId}`, { method: 'PUT', body: { data: { round } } });
      expect(created.status).to.equal(201);
      const base = created.json.fingerprint as string;
      const data = [0, 1].map((p) => ({ round, by: p }));
      const replies = await Promise.all(
        [0, 1].map((p) =>
          request(`${roots[p]}items/transactions`, {
            method: 'PUT',
            body: { entries: [{ itemId, updatedAt: new Date().toISOString(), fingerprint: fingerprint(data[p]!), deleted: false, data: data[p]!, base }] },
          }),
        ),
      );
      expect(replies.map((r) => r.status).sort(), replies.map((r) => r.text).join('\n')).to.deep.equal([200, 409]);
      const winner = replies.findIndex((r) => r.status === 200);
      won[winner]!++;
      expect(replies[winner]!.json.applied).to.equal(1);
      const [conflict] = replies[1 - winner]!.json.conflicts;
      expect(conflict).to.include({ itemId, expected: base, actual: fingerprint(data[winner]!) });
      expect(conflict.current.data).to.deep.equal(data[winner]);
      for (const root of roots) expect((await request(`${root}items/${itemId}`)).json.data).to.deep.equal(data[winner]);
    }
    console.log(`      (racing PUTs won by process A ${won[0]} times, by process B ${won[1]} times)`);
  });

  it(`${CLIENTS} clients syncing concurrently through both processes converge on one log, every change applied once`, async () => {
    const before = await direct!.highWater();
    let sent = 0;

    const shared = Array.from({ length: SHARED }, () => randomUUID());
    for (const [k, itemId] of shared.entries()) {
      const reply = await request(`${roots[k % 2]}items/${itemId}`, { method: 'PUT', body: { data: { shared: k } } });
      expect(reply.status).to.equal(201);
      sent++;
    }

    const clients = Array.from({ length: CLIENTS }, () => new MemoryStore());
    // Half the clients talk to process A, half to B. (Each keeps its checkpoints by the root
    // URL it syncs with, so one client alternating would read the whole log again.)
    const syncAll = (options: () => Parameters<typeof syncStore>[2] = () => ({})) =>
      Promise.all(clients.map((store, i) => syncStore(store, roots[i % 2]!, { maxRetries: 10, backoffMs: 5, ...options() })));
    const pushed = (reports: SyncReport[]) => reports.reduce((n, r) => n + r.pushed, 0);

    sent += pushed(await syncAll());
    let retries = 0;
    const newItems: Record<string, Json> = {};
    for (let round = 1; round <= ROUNDS; round++) {
      for (const [i, store] of clients.entries()) {
        const itemId = randomUUID();
        newItems[itemId] = { client: i, round };
        await put(store, itemId, newItems[itemId]!);
        await put(store, shared[(i + round) % SHARED]!, { shared: (i + round) % SHARED, client: i, round });
      }
      // Round 1: every client reads the node, then all push at once — each shared item's
      // edits carry the same base, so all but the first to commit get a 409 and retry.
      const arrive = barrier(CLIENTS);
      const reports = await syncAll(() => {
        let first = round === 1;
        return { afterStep: async (step) => (step === 2 && first ? ((first = false), arrive()) : undefined) };
      });
      sent += pushed(reports);
      const roundRetries = reports.reduce((n, r) => n + r.retries, 0);
      if (round === 1) expect(roundRetries, 'retries after the 409s of round 1').to.be.at.least(CLIENTS - SHARED);
      retries += roundRetries;
    }

    // Every change has reached the node by now, so a last round only pulls.
    const last = await syncAll();
    expect(pushed(last)).to.equal(0);

    // Both processes serve the identical log.
    const [logA, logB] = await Promise.all(roots.map(wholeLog));
    expect(logB).to.deep.equal(logA);
    const log = logA!.entries;
    const ids = log.map((e) => e.itemId);
    expect(new Set(ids).size, 'each item once').to.equal(ids.length);
    for (const e of log) expect(e.fingerprint, e.itemId).to.equal(fingerprint(e.data));
    for (const [itemId, data] of Object.entries(newItems)) expect(log.find((e) => e.itemId === itemId)?.data, itemId).to.deep.equal(data);

    // The seqs under it: strictly increasing, the last one the high water, and as many
    // versions recorded as changes applied — each sent change once, none lost or doubled.
    const page = await direct!.changes('items', { limit: 100_000, withData: false });
    expect(page.entries.map((e) => e.itemId)).to.deep.equal(ids);
    const seqs = page.entries.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).to.be.greaterThan(seqs[i - 1]!);
    const highWater = await direct!.highWater();
    expect(seqs.at(-1)).to.equal(highWater);
    expect(highWater - before, 'versions recorded').to.equal(sent);
    expect(sent).to.be.at.least(SHARED + CLIENTS * ROUNDS);

    // Every client holds exactly the node's log.
    const expectedContents = Object.fromEntries(log.map((e) => [e.itemId, e.deleted ? null : e.data] as const).sort(([a], [b]) => a.localeCompare(b)));
    const expectedVersions = Object.fromEntries(
      log.map((e) => [e.itemId, `${e.updatedAt} ${e.fingerprint} ${e.deleted}`] as const).sort(([a], [b]) => a.localeCompare(b)),
    );
    for (const [i, store] of clients.entries()) {
      expect(await contents(store), `client ${i}`).to.deep.equal(expectedContents);
      expect(await versions(store), `client ${i}`).to.deep.equal(expectedVersions);
    }
    console.log(`      (${sent} changes applied, ${retries} retries after 409s)`);
  });
});
