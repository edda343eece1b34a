import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';

/**
 * Clients generated from the document a node serves, as users make them: openapi-typescript +
 * openapi-fetch, @hey-api/openapi-ts, orval, openapi-typescript-codegen, swagger-typescript-api
 * and openapi-zod-client, each run at test time on the node's own
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

interface Client {
  generate(dir: string, doc: string, baseUrl: string): Promise<void>;
  source: string;
  /** Type-checked for a bundler (extensionless imports) and bundled with esbuild, instead of compiled by tsc. */
  bundle?: boolean;
  /** What this generator's round trip shows beyond the common ones. */
  check?(result: RoundTrip & Record<string, unknown>): void;
}

const CLIENTS: Record<string, Client> = {
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
  'openapi-typescript-codegen': {
    // Its imports have no extensions (`'../models/Item'`): type-checked for a bundler and bundled, as its users run it.
    bundle: true,
    async generate(dir, doc) {
      await run(process.execPath, [bin('openapi-typescript-codegen', 'bin/index.js'), '-i', doc, '-o', join(dir, 'codegen'), '--client', 'fetch'], {
        cwd: ROOT,
      });
    },
    source: `import { ApiError, CollectionItemsService as Items, OpenAPI } from './codegen/index';
${ENTRIES}
export async function roundTrip(baseUrl: string) {
  OpenAPI.BASE = baseUrl;
  // Its client hides statuses and headers: the round trip watches them on the wire.
  const seen: { status: number; type: string | null; etag: string | null }[] = [];
  const plain = globalThis.fetch;
  globalThis.fetch = async (input, init) => {
    const response = await plain(input, init);
    seen.push({ status: response.status, type: response.headers.get('Content-Type'), etag: response.headers.get('ETag') });
    return response;
  };
  try {
    const created = await Items.itemsCreateItem({ data: { title: 'typed' } });
    if (!('itemId' in created)) throw new Error('create: ' + created.title);
    const createdStatus = seen.at(-1)!.status;
    const read = await Items.itemsGetItem(created.itemId);
    if (!('itemId' in read)) throw new Error('read: ' + read.title);
    const title: string = read.data.title;
    const etag = seen.at(-1)!.etag;
    const log = await Items.itemsGetTransactions(undefined, undefined, 10, 'data');
    if (!('checkpoint' in log)) throw new Error('log: ' + log.title);
    const entries = log._embedded['sync:entry'];
    const base = entry(read.itemId, read.fingerprint);
    const pushed = await Items.itemsPutTransactions({ since: log.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] });
    if (!('applied' in pushed)) throw new Error('push: ' + JSON.stringify(pushed));
    const pushedStatus = seen.at(-1)!.status;
    const stale = await Items.itemsPutTransactions({ entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] }).then(
      () => undefined,
      (error: unknown) => (error instanceof ApiError ? error : undefined),
    );
    // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
    await Items.itemsCreateItem({ data: { title: 1 } }).catch(() => undefined);
    return {
      createdStatus, title, etag, fingerprint: read.fingerprint,
      entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
      pushedStatus, applied: pushed.applied,
      conflictStatus: stale?.status ?? 0, conflictCurrent: stale?.body?.conflicts?.[0]?.current?.data,
      // Every answer parsed as JSON (it once took hal+json for text): its client accepts only application/json, and the node answers that.
      answerTypes: [typeof created, typeof read, typeof log, typeof pushed, typeof stale?.body],
      contentTypes: [...new Set(seen.slice(0, 4).map((s) => s.type))],
    };
  } finally {
    globalThis.fetch = plain;
  }
}
`,
    check(result) {
      expect(result['answerTypes']).to.deep.equal(['object', 'object', 'object', 'object', 'object']);
      expect(result['contentTypes']).to.deep.equal(['application/json; charset=utf-8']);
    },
  },
  'swagger-typescript-api': {
    async generate(dir, doc) {
      const args = [bin('swagger-typescript-api', 'dist/cli.mjs'), 'generate', '-p', doc, '-o', join(dir, 'sta'), '-n', 'api.ts', '--silent'];
      await run(process.execPath, args, { cwd: ROOT });
    },
    source: `import { Api, type HttpResponse, type Problem, type SyncResult } from './sta/api.js';
${ENTRIES}
export async function roundTrip(baseUrl: string) {
  // What the client itself puts on each write: it gave a $ref'd requestBody none, and fetch then sent text/plain (a 415).
  const sent: (string | null)[] = [];
  const customFetch: typeof fetch = (input, init) => {
    if (init?.body) sent.push(new Headers(init.headers).get('Content-Type'));
    return fetch(input, init);
  };
  const { items } = new Api({ baseUrl, customFetch });
  const created = await items.itemsCreateItem({ data: { title: 'typed' } });
  const read = await items.itemsGetItem(created.data.itemId);
  const title: string = read.data.data.title;
  const log = await items.itemsGetTransactions({ limit: 10, embed: 'data' });
  const entries = log.data._embedded['sync:entry'];
  const base = entry(read.data.itemId, read.data.fingerprint);
  const pushed = await items.itemsPutTransactions({ since: log.data.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] });
  // It throws the response of a failed request.
  const stale = await items
    .itemsPutTransactions({ entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] })
    .catch((response: HttpResponse<SyncResult, Problem>) => response);
  // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
  await items.itemsCreateItem({ data: { title: 1 } }).catch(() => undefined);
  return {
    createdStatus: created.status, title, etag: read.headers.get('ETag'), fingerprint: read.data.fingerprint,
    entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
    pushedStatus: pushed.status, applied: pushed.data.applied,
    conflictStatus: stale.status, conflictCurrent: stale.error?.conflicts?.[0]?.current?.data,
    createContentType: sent[0], pushContentType: sent[1],
  };
}
`,
    check(result) {
      expect([result['createContentType'], result['pushContentType']]).to.deep.equal(['application/json', 'application/json']);
    },
  },
  'openapi-zod-client': {
    async generate(dir, doc) {
      await run(process.execPath, [bin('openapi-zod-client', 'bin.js'), doc, '-o', join(dir, 'zod-api.ts')], { cwd: ROOT });
    },
    source: `import { isAxiosError } from 'axios';
import { createApiClient, schemas } from './zod-api.js';
${ENTRIES}
export async function roundTrip(baseUrl: string) {
  // Zodios parses every 2xx answer with the generated zod schema (and rejects one that does not match); it hides statuses and headers.
  const api = createApiClient(baseUrl);
  const seen: { status: number; etag: unknown }[] = [];
  api.axios.interceptors.response.use((response) => {
    seen.push({ status: response.status, etag: response.headers['etag'] });
    return response;
  });
  const created = await api.itemsCreateItem({ data: { title: 'typed' } });
  const createdStatus = seen.at(-1)!.status;
  const read = await api.itemsGetItem({ params: { itemId: created.itemId } });
  const title: string = read.data.title;
  const etag = String(seen.at(-1)!.etag);
  const log = await api.itemsGetTransactions({ queries: { limit: 10, embed: 'data' } });
  const entries = log._embedded['sync:entry'];
  const base = entry(read.itemId, read.fingerprint);
  const pushed = await api.itemsPutTransactions({ since: log.checkpoint, entries: [{ ...base, data: pushedData, fingerprint: PUSHED_FINGERPRINT }] });
  const pushedStatus = seen.at(-1)!.status;
  const stale = await api.itemsPutTransactions({ entries: [{ ...base, data: lateData, fingerprint: LATE_FINGERPRINT }] }).then(
    () => undefined,
    (error: unknown) => (isAxiosError(error) ? error.response : undefined),
  );
  // Its error schemas are z.void() (problems are application/problem+json, which it does not read by default): the 409 is parsed here.
  const problem = schemas.Problem.parse(stale?.data);
  // @ts-expect-error -- the types know a write body is { data } of the collection's schema.
  await api.itemsCreateItem({ data: { title: 1 } }).catch(() => undefined);
  return {
    createdStatus, title, etag, fingerprint: read.fingerprint,
    entryIds: entries.map((e) => e.itemId), entryTitles: entries.map((e) => ('data' in e ? e.data?.title : undefined) ?? ''),
    pushedStatus, applied: pushed.applied,
    conflictStatus: stale?.status ?? 0, conflictCurrent: problem.conflicts?.[0]?.current?.data,
    // The generated schemas hold data to the collection's schema: a title that is not a string is refused.
    wrongDataRefused: !schemas.ItemsItem.safeParse({ ...read, data: { title: 1 } }).success,
  };
}
`,
    check(result) {
      expect(result['wrongDataRefused']).to.equal(true);
    },
  },
};

const TSC = ['--strict', '--noEmitOnError', '--target', 'ES2022', '--lib', 'ES2023,DOM', '--types', 'node', '--skipLibCheck'];

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
      const modules = client.bundle
        ? ['--module', 'ESNext', '--moduleResolution', 'Bundler', '--noEmit']
        : ['--module', 'NodeNext', '--moduleResolution', 'NodeNext'];
      const tsc = [...TSC, ...modules];
      await run(process.execPath, [bin('typescript', 'bin/tsc'), ...tsc, join(dir, 'client.ts')], { cwd: ROOT }).catch(
        (error: { stdout?: string; message: string }) => {
          throw new Error(`tsc rejected the ${generator} client:\n${error.stdout || error.message}`);
        },
      );
      if (client.bundle)
        await build({
          entryPoints: [join(dir, 'client.ts')],
          outfile: join(dir, 'client.js'),
          bundle: true,
          format: 'esm',
          platform: 'node',
          logLevel: 'silent',
        });
      const compiled = (await import(pathToFileURL(join(dir, 'client.js')).href)) as { roundTrip(url: string): Promise<RoundTrip & Record<string, unknown>> };
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
      client.check?.(result);
    });
  }
});
