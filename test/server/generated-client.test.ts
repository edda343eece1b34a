import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { loadOpenApi } from '../../lib/server/resources/openapi.js';
import { startNode, type StartedNode } from '../support/server.js';

/**
 * A typed client generated from the served document, as docs/openapi.md tells users to make
 * one: openapi-typescript turns the bundled document into types, openapi-fetch uses them.
 * Everything generated lives in test-output/ (gitignored; inside the project so that
 * `openapi-fetch` resolves from its node_modules) and is rebuilt on every run, so the types
 * can never be stale. tsc checks the client (a type error fails the test, and an
 * `@ts-expect-error` proves the types reject a wrong body), then the compiled client runs
 * a create / read / log / sync-log round trip against a real node.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'test-output', 'generated-client');
const bin = (pkg: string, file: string) => join(ROOT, 'node_modules', pkg, ...file.split('/'));
const run = promisify(execFile);

const CLIENT = `import createClient from 'openapi-fetch';
import type { components, paths } from './schema.js';

type Item = components['schemas']['Item'];

/** Every step of a sync round trip, through the generated types only. */
export async function roundTrip(baseUrl: string) {
  // HAL and problem documents: the HTML page a browser gets at the same URLs is left out.
  const api = createClient<paths, \`application/\${string}json\`>({ baseUrl, headers: { Accept: 'application/hal+json' } });
  const collection = { collection: 'items' };

  const created = await api.POST('/{collection}', { params: { path: collection }, body: { data: { title: 'typed' } } });
  if (!created.data) throw new Error('create failed: ' + created.response.status);
  const item: Item = created.data;

  const read = await api.GET('/{collection}/{itemId}', { params: { path: { ...collection, itemId: item.itemId } } });
  if (!read.data) throw new Error('read failed: ' + read.response.status);

  const log = await api.GET('/{collection}/transactions', { params: { path: collection, query: { limit: 10, embed: 'data' } } });
  if (!log.data) throw new Error('log failed: ' + log.response.status);
  const entries = log.data._embedded['sync:entry'];

  const next = { title: 'pushed' };
  const entry = { itemId: item.itemId, updatedAt: new Date().toISOString(), deleted: false, data: next, base: item.fingerprint };
  const pushed = await api.PUT('/{collection}/transactions', {
    params: { path: collection },
    body: { since: log.data.checkpoint, entries: [{ ...entry, fingerprint: FINGERPRINT_OF_PUSHED }] },
  });
  // 200 (a sync result) or 202 (a job): the types make the client tell them apart.
  if (!pushed.data || !('applied' in pushed.data)) throw new Error('push not applied synchronously: ' + pushed.response.status);
  // The same base again: the item has moved on, so this is a 409 with the current version.
  const stale = await api.PUT('/{collection}/transactions', {
    params: { path: collection },
    body: { entries: [{ ...entry, data: { title: 'late' }, fingerprint: FINGERPRINT_OF_LATE }] },
  });

  // @ts-expect-error -- the generated types know a write body is { data }, nothing else.
  await api.POST('/{collection}', { params: { path: collection }, body: { value: 1 } }).catch(() => undefined);

  return {
    createdStatus: created.response.status,
    location: created.response.headers.get('Location'),
    readData: read.data.data,
    etag: read.response.headers.get('ETag'),
    fingerprint: item.fingerprint,
    entryIds: entries.map((e) => e.itemId),
    entryData: entries.map((e) => e.data),
    applied: pushed.data.applied,
    checkpoint: pushed.data.checkpoint,
    conflictStatus: stale.response.status,
    conflicts: stale.error?.conflicts?.map((c) => ({ itemId: c.itemId, expected: c.expected, current: c.current?.data })),
  };
}
`;

describe('a client generated from the OpenAPI document', function () {
  this.timeout(120_000);
  let node: StartedNode;

  before(async () => {
    await rm(DIR, { recursive: true, force: true });
    await mkdir(DIR, { recursive: true });
  });
  beforeEach(async () => {
    node = await startNode();
  });
  afterEach(async () => node.close());

  it('type-checks with openapi-typescript + openapi-fetch and syncs against a node', async () => {
    // 1. The document as served, then the types (docs/openapi.md's two commands).
    await writeFile(join(DIR, 'openapi.json'), JSON.stringify(await loadOpenApi()));
    await run(process.execPath, [bin('openapi-typescript', 'bin/cli.js'), join(DIR, 'openapi.json'), '-o', join(DIR, 'schema.d.ts')], { cwd: ROOT });

    // 2. The client, type-checked strictly and compiled; a type error fails here with tsc's message.
    const { fingerprint } = await import('../../lib/protocol/fingerprint.js');
    const source = CLIENT.replace('FINGERPRINT_OF_PUSHED', JSON.stringify(fingerprint({ title: 'pushed' }))).replace(
      'FINGERPRINT_OF_LATE',
      JSON.stringify(fingerprint({ title: 'late' })),
    );
    await writeFile(join(DIR, 'client.ts'), source);
    await writeFile(join(DIR, 'package.json'), '{ "type": "module" }\n');
    const tsc = [
      bin('typescript', 'bin/tsc'),
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
      join(DIR, 'client.ts'),
    ];
    await run(process.execPath, tsc, { cwd: ROOT }).catch((error: { stdout?: string; message: string }) => {
      throw new Error(`tsc rejected the generated client:\n${error.stdout || error.message}`);
    });

    // 3. The round trip, over HTTP.
    const client = (await import(pathToFileURL(join(DIR, 'client.js')).href)) as { roundTrip(url: string): Promise<Record<string, any>> };
    const result = await client.roundTrip(node.url.replace(/\/$/, ''));
    expect(result['createdStatus']).to.equal(201);
    expect(result['location']).to.match(/\/items\/[0-9a-f-]{36}$/);
    expect(result['readData']).to.deep.equal({ title: 'typed' });
    expect(result['etag']).to.equal(`"${result['fingerprint']}"`);
    expect(result['entryIds'].length).to.equal(1);
    expect(result['entryData']).to.deep.equal([{ title: 'typed' }]);
    expect(result['applied']).to.equal(1);
    expect(typeof result['checkpoint']).to.equal('string');
    expect(result['conflictStatus']).to.equal(409);
    expect(result['conflicts'].length).to.equal(1);
    expect(result['conflicts'][0].current).to.deep.equal({ title: 'pushed' });
  });
});
