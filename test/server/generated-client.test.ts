import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';

/**
 * Clients generated from the document a node serves, as users make them: openapi-typescript +
 * openapi-fetch, @hey-api/openapi-ts and orval, each run at test time on the node's own
 * document (so the types can never be stale), type-checked by `tsc --strict` (a type error
 * fails the test; reading `data.title` as a string proves `data` is typed by the collection's
 * schema), then run against the node: create, read, log, a sync-log PUT answered 200 and one
 * answered 409. Everything generated lives in test-output/generated-clients/ (gitignored;
 * inside the project so the runtime packages resolve from its node_modules), with each round
 * trip's result as `<generator>.result.json`.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'test-output', 'generated-clients');
const bin = (pkg: string, file: string) => join(ROOT, 'node_modules', pkg, ...file.split('/'));
const run = promisify(execFile);

const SCHEMA = { type: 'object', required: ['title'], properties: { title: { type: 'string' } }, additionalProperties: false };
const PUSHED = { title: 'pushed' };
const LATE = { title: 'late' };

/** What every round trip returns, whatever the generator. */
interface RoundTrip {
  createdStatus: number;
  title: string;
  etag: string | null;
  fingerprint: string;
  entryIds: string[];
  entryTitles: string[];
  pushedStatus: number;
  applied: number;
  conflictStatus: number;
  conflictCurrent: unknown;
}

// The shared part of each client: the two sync-log entries, from values tsc cannot see.
const ENTRIES = `const pushedData = ${JSON.stringify(PUSHED)};
const lateData = ${JSON.stringify(LATE)};
const entry = (itemId: string, base: string) => ({ itemId, updatedAt: new Date().toISOString(), deleted: false, base });
const PUSHED_FINGERPRINT = ${JSON.stringify(fingerprint(PUSHED))};
const LATE_FINGERPRINT = ${JSON.stringify(fingerprint(LATE))};
`;

const CLIENTS: Record<string, { generate(dir: string, doc: string, baseUrl: string): Promise<void>; source: string }> = {
  'openapi-fetch': {
    async generate(dir, doc) {
      await run(process.execPath, [bin('openapi-typescript', 'bin/cli.js'), doc, '-o', join(dir, 'schema.d.ts')], { cwd: ROOT });
    },
    source: `import createClient from 'openapi-fetch';
import type { paths } from './schema.js';
${ENTRIES}
export async function roundTrip(baseUrl: string) {
  const api = createClient<paths, \`application/\${string}json\`>({ baseUrl, headers: { Accept: 'application/hal+json' } });
  const created = await api.POST('/items', { body: { data: { title: 'typed' } } });
  if (!created.data) throw new Error('create: ' + created.response.status);
  const read = await api.GET('/items/{itemId}', { params: { path: { itemId: created.data.itemId } } });
  if (!read.data) throw new Error('read: ' + read.response.status);
  const title: string = read.data.data.title;
  const log = await api.GET('/items/transactions', { params: { query: { limit: 10, embed: 'data' } } });
  if (!log.data) throw new Error('log: ' + log.response.status);
  const entries = log.data._embedded['sync:entry'];
  const base = entry(read.data.itemId, read.data.fingerprint);
  const pushed = await api.PUT('/items/transactions', { body: { since: log.data.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] } });
  if (!pushed.data || !('applied' in pushed.data)) throw new Error('push: ' + pushed.response.status);
  const stale = await api.PUT('/items/transactions', { body: { entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] } });
  // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
  await api.POST('/items', { body: { data: { title: 1 } } }).catch(() => undefined);
  return {
    createdStatus: created.response.status, title, etag: read.response.headers.get('ETag'), fingerprint: read.data.fingerprint,
    entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
    pushedStatus: pushed.response.status, applied: pushed.data.applied,
    conflictStatus: stale.response.status, conflictCurrent: stale.error?.conflicts?.[0]?.current?.data,
  };
}
`,
  },
  '@hey-api/openapi-ts': {
    async generate(dir, doc) {
      await run(process.execPath, [bin('@hey-api/openapi-ts', 'bin/run.js'), '-i', doc, '-o', join(dir, 'hey')], { cwd: ROOT });
    },
    source: `import { client } from './hey/client.gen.js';
import { itemsCreateItem, itemsGetItem, itemsGetTransactions, itemsPutTransactions } from './hey/sdk.gen.js';
${ENTRIES}
export async function roundTrip(baseUrl: string) {
  client.setConfig({ baseUrl });
  const created = await itemsCreateItem({ body: { data: { title: 'typed' } } });
  if (!created.data) throw new Error('create: ' + created.response.status);
  const read = await itemsGetItem({ path: { itemId: created.data.itemId } });
  if (!read.data) throw new Error('read: ' + read.response.status);
  const title: string = read.data.data.title;
  const log = await itemsGetTransactions({ query: { limit: 10, embed: 'data' } });
  if (!log.data) throw new Error('log: ' + log.response.status);
  const entries = log.data._embedded['sync:entry'];
  const base = entry(read.data.itemId, read.data.fingerprint);
  const pushed = await itemsPutTransactions({ body: { since: log.data.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] } });
  if (!pushed.data || !('applied' in pushed.data)) throw new Error('push: ' + pushed.response.status);
  const stale = await itemsPutTransactions({ body: { entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] } });
  // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
  await itemsCreateItem({ body: { data: { title: 1 } } }).catch(() => undefined);
  return {
    createdStatus: created.response.status, title, etag: read.response.headers.get('ETag'), fingerprint: read.data.fingerprint,
    entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
    pushedStatus: pushed.response.status, applied: pushed.data.applied,
    conflictStatus: stale.response.status, conflictCurrent: stale.error?.conflicts?.[0]?.current?.data,
  };
}
`,
  },
  orval: {
    async generate(dir, doc, baseUrl) {
      const config = { halsync: { input: { target: doc }, output: { target: join(dir, 'orval', 'api.ts'), client: 'fetch', mode: 'single', baseUrl } } };
      await writeFile(join(dir, 'orval.config.cjs'), `module.exports = ${JSON.stringify(config)};\n`);
      await run(process.execPath, [bin('orval', 'dist/bin/orval.js'), '--config', join(dir, 'orval.config.cjs')], { cwd: dir });
    },
    source: `import { itemsCreateItem, itemsGetItem, itemsGetTransactions, itemsPutTransactions } from './orval/api.js';
${ENTRIES}
export async function roundTrip() {
  const created = await itemsCreateItem({ data: { title: 'typed' } });
  if (created.status !== 201) throw new Error('create: ' + created.status);
  const read = await itemsGetItem(created.data.itemId);
  if (read.status !== 200) throw new Error('read: ' + read.status);
  const title: string = read.data.data.title;
  const log = await itemsGetTransactions({ limit: 10, embed: 'data' });
  if (log.status !== 200) throw new Error('log: ' + log.status);
  const entries = log.data._embedded['sync:entry'];
  const base = entry(read.data.itemId, read.data.fingerprint);
  const pushed = await itemsPutTransactions({ since: log.data.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] });
  if (pushed.status !== 200) throw new Error('push: ' + pushed.status);
  const stale = await itemsPutTransactions({ entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] });
  // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
  await itemsCreateItem({ data: { title: 1 } }).catch(() => undefined);
  return {
    createdStatus: created.status, title, etag: read.headers.get('ETag'), fingerprint: read.data.fingerprint,
    entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
    pushedStatus: pushed.status, applied: pushed.data.applied,
    conflictStatus: stale.status, conflictCurrent: stale.status === 409 ? stale.data.conflicts?.[0]?.current?.data : undefined,
  };
}
`,
  },
};

const TSC = [
  '--strict',
  '--noEmitOnError',
  '--module',
  'NodeNext',
  '--moduleResolution',
  'NodeNext',
  '--target',
  'ES2022',
  '--lib',
  'ES2023,DOM',
  '--types',
  'node',
  '--skipLibCheck',
];

describe('clients generated from the document a node serves', function () {
  this.timeout(180_000);
  let node: StartedNode;

  before(async () => {
    await rm(DIR, { recursive: true, force: true });
  });
  beforeEach(async () => {
    node = await startNode({ collections: [{ name: 'items', schema: SCHEMA }] });
  });
  afterEach(async () => node.close());

  for (const [generator, client] of Object.entries(CLIENTS)) {
    it(`${generator}: generates, type-checks with tsc --strict, and round-trips create, read, log, a 200 and a 409 sync-log PUT`, async () => {
      const dir = join(DIR, generator.replace(/[@/]/g, '-').replace(/^-/, ''));
      await mkdir(dir, { recursive: true });
      const doc = join(dir, 'openapi.json');
      await writeFile(doc, (await request(`${node.url}openapi`)).text);
      await client.generate(dir, doc, node.url.replace(/\/$/, ''));
      await writeFile(join(dir, 'client.ts'), client.source);
      await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
      await run(process.execPath, [bin('typescript', 'bin/tsc'), ...TSC, join(dir, 'client.ts')], { cwd: ROOT }).catch(
        (error: { stdout?: string; message: string }) => {
          throw new Error(`tsc rejected the ${generator} client:\n${error.stdout || error.message}`);
        },
      );
      const compiled = (await import(pathToFileURL(join(dir, 'client.js')).href)) as { roundTrip(url: string): Promise<RoundTrip> };
      const result = await compiled.roundTrip(node.url.replace(/\/$/, ''));
      await writeFile(join(DIR, `${generator.replace(/[@/]/g, '-').replace(/^-/, '')}.result.json`), JSON.stringify(result, null, 2) + '\n');
      expect(result.createdStatus).to.equal(201);
      expect(result.title).to.equal('typed');
      expect(result.etag).to.equal(`"${result.fingerprint}"`);
      expect(result.entryIds).to.have.length(1);
      expect(result.entryTitles).to.deep.equal(['typed']);
      expect([result.pushedStatus, result.applied]).to.deep.equal([200, 1]);
      expect(result.conflictStatus).to.equal(409);
      expect(result.conflictCurrent).to.deep.equal(PUSHED);
    });
  }
});
