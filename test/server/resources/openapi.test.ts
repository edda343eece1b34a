import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { stringify } from 'yaml';
import { loadOpenApi } from '../../../lib/server/resources/openapi.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const REDOCLY = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
const SPECTRAL = join(ROOT, 'node_modules', '@stoplight', 'spectral-cli', 'dist', 'index.js');
const addFormats = formats.default as unknown as (ajv: Ajv2020) => Ajv2020;

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; message: string; location: { pointer?: string }[] }[];
}

/** `redocly lint` with the project's redocly.yaml; resolves to its JSON report. */
async function lint(file: string, config = 'redocly.yaml'): Promise<LintReport> {
  const args = [REDOCLY, 'lint', file, '--config', join(ROOT, config), '--format=json'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string; message: string }) => {
      if (error.stdout) return { stdout: error.stdout };
      throw error;
    },
  );
  return JSON.parse(stdout) as LintReport;
}

/** `spectral lint` with the project's .spectral.yaml (spectral:oas): every finding, hints included. */
async function spectral(file: string): Promise<string[]> {
  const args = [SPECTRAL, 'lint', file, '--ruleset', join(ROOT, '.spectral.yaml'), '--format', 'json', '--fail-severity', 'hint', '--quiet'];
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 }).catch(
    (error: { stdout?: string; message: string }) => {
      if (error.stdout) return { stdout: error.stdout };
      throw error;
    },
  );
  const results = JSON.parse(stdout || '[]') as { code: string; message: string; path: string[] }[];
  return results.map((r) => `${r.code}: ${r.message} at ${r.path.join('.')}`);
}

function summary(report: LintReport): string[] {
  return report.problems.map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
}

describe('OpenAPI document', function () {
  this.timeout(60_000);

  it('openapi/openapi.yaml lints clean (no error, no warning)', async () => {
    const report = await lint(join(ROOT, 'openapi', 'openapi.yaml'));
    expect(summary(report)).to.deep.equal([]);
    expect([report.totals.errors, report.totals.warnings]).to.deep.equal([0, 0]);
  });

  describe('the document a node serves', () => {
    let node: StartedNode;
    let dir: string;
    const notes = {
      type: 'object',
      required: ['title'],
      properties: { title: { type: 'string' }, tags: { type: 'array', items: { $ref: '#/$defs/tag' } } },
      $defs: { tag: { type: 'string', minLength: 1 } },
    };
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'halsync-served-'));
      node = await startNode({ collections: [{ name: 'items' }, { name: 'notes', title: 'Notes', schema: notes }] });
    });
    after(async () => {
      await node.close();
      await rm(dir, { recursive: true, force: true });
    });

    it('has concrete paths for each collection, typed by its schema, and keeps the generic templates', async () => {
      const doc = (await request(`${node.url}openapi`)).json;
      const paths = Object.keys(doc.paths);
      for (const name of ['items', 'notes']) {
        for (const path of [`/${name}`, `/${name}/transactions`, `/${name}/{itemId}`, `/${name}/conflicts`, `/schemas/${name}`]) expect(paths).to.include(path);
      }
      expect(paths.filter((p) => p.includes('{collection}'))).to.deep.equal([]);
      expect(Object.keys(doc['x-generic-paths'])).to.include.members(['/{collection}', '/{collection}/transactions', '/{collection}/{itemId}']);
      const getNote = doc.paths['/notes/{itemId}'].get;
      expect(getNote.operationId).to.equal('notesGetItem');
      expect(getNote.responses['200'].content['application/hal+json'].schema).to.deep.equal({ $ref: '#/components/schemas/NotesItem' });
      expect(doc.paths['/notes'].post.requestBody.content['application/json'].schema).to.deep.equal({ $ref: '#/components/schemas/NotesItemWrite' });
      expect(doc.components.requestBodies).to.equal(undefined);
      const schemas = doc.components.schemas;
      expect(schemas.NotesData).to.deep.include({ required: ['title'], $defs: notes.$defs });
      expect(schemas.NotesData.properties.tags.items).to.deep.equal({ $ref: '#/components/schemas/NotesData/$defs/tag' });
      // Full copies, not allOf the generic one: generators that write the generic `data` as `any` would make `any & NotesData`, which is `any`.
      expect(schemas.NotesItem.properties.data).to.deep.include({ $ref: '#/components/schemas/NotesData' });
      expect(schemas.NotesItem.required).to.include('data');
      expect(schemas.NotesItemWrite.properties.data).to.deep.include({ $ref: '#/components/schemas/NotesData' });
      // A log entry is a version (its data typed, null without embed=data) or a removal (no data at all).
      expect(schemas.NotesLogEntry.oneOf).to.deep.equal([{ $ref: '#/components/schemas/NotesVersionEntry' }, { $ref: '#/components/schemas/RemovalEntry' }]);
      expect(schemas.NotesVersionEntry.properties.data).to.deep.include({ oneOf: [{ $ref: '#/components/schemas/NotesData' }, { type: 'null' }] });
      expect(schemas.RemovalEntry.properties.data).to.equal(undefined);
      expect(schemas.NotesLogPage.properties._embedded.properties['sync:entry'].items).to.deep.equal({ $ref: '#/components/schemas/NotesLogEntry' });
      // The generic Item stays (a restore may answer a tombstone); the generic schemas only the templates use are written out there.
      expect(Object.keys(schemas)).to.include('Item').and.not.include.members(['ItemWrite', 'LogEntry', 'LogPage', 'SyncLog']);
      expect(JSON.stringify(doc['x-generic-paths'])).not.to.match(
        /#\/components\/(schemas\/(ItemWrite|LogEntry|LogPage|SyncLog)|parameters\/collection|requestBodies)/,
      );
      // No two schemas or parameters whose names differ by case only: openapi-typescript-codegen writes each to a file named after it.
      const names = [...Object.keys(schemas), ...Object.keys(doc.components.parameters)].map((name) => name.toLowerCase());
      expect(names.filter((name, i) => names.indexOf(name) !== i)).to.deep.equal([]);
      // The HTML browser page is not a typed answer (generators would make every 200 `… | string`); those GETs say x-browser-page.
      const html = Object.entries(doc.paths as Record<string, Record<string, any>>).flatMap(([path, item]) =>
        Object.entries(item.get?.responses ?? {})
          .filter(([, r]: [string, any]) => r.content?.['text/html'])
          .map(([status]) => `${path} ${status}`),
      );
      expect(html).to.deep.equal(['/rels/{rel} 200', '/docs 200']);
      expect(doc.paths['/notes/{itemId}'].get['x-browser-page']).to.equal(true);
    });

    it('places the paths where the node serves them', async () => {
      const custom = await startNode({
        paths: { collection: '/api/{collection}', item: '/api/{collection}/by-id/{itemId}', transactions: '/api/{collection}/log' },
      });
      try {
        const paths = Object.keys((await request(`${custom.url}openapi`)).json.paths);
        expect(paths).to.include.members(['/api/items', '/api/items/by-id/{itemId}', '/api/items/log']);
      } finally {
        await custom.close();
      }
    });

    it('lints clean: Redocly recommended-strict (no ambiguous paths) and Spectral spectral:oas', async () => {
      const file = join(dir, 'served.json');
      await writeFile(file, (await request(`${node.url}openapi`)).text);
      const report = await lint(file, 'redocly-served.yaml');
      expect(summary(report)).to.deep.equal([]);
      expect(await spectral(file)).to.deep.equal([]);
      expect(await spectral(join(ROOT, 'openapi', 'openapi.yaml'))).to.deep.equal([]);
    });
  });

  describe('loadOpenApi()', () => {
    let dir: string;
    before(async () => {
      dir = await mkdtemp(join(tmpdir(), 'halsync-openapi-'));
    });
    after(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('is a self-contained OpenAPI 3.1 document that lints clean, as JSON and as YAML', async () => {
      const doc = await loadOpenApi();
      expect(String(doc['openapi'])).to.match(/^3\.1\./);
      const refs = JSON.stringify(doc).match(/"\$ref":"[^"]*"/g) ?? [];
      expect(refs.filter((r) => !r.startsWith('"$ref":"#/'))).to.deep.equal([]);
      await writeFile(join(dir, 'bundled.json'), JSON.stringify(doc));
      await writeFile(join(dir, 'bundled.yaml'), stringify(doc));
      for (const file of ['bundled.json', 'bundled.yaml']) {
        const report = await lint(join(dir, file));
        expect(summary(report), file).to.deep.equal([]);
      }
    });

    it('holds every message schema of spec/ as a component, each a valid JSON Schema 2020-12', async () => {
      const doc = await loadOpenApi();
      const schemas = (doc['components'] as { schemas: Record<string, unknown> }).schemas;
      const files = (await readdir(join(ROOT, 'spec'))).filter((f) => f.endsWith('.schema.json') && f !== 'defs.schema.json');
      const names = files.map((f) => f.replace('.schema.json', '').replace(/(^|-)(.)/g, (_, _dash, c: string) => c.toUpperCase()));
      expect(names.filter((n) => !(n in schemas))).to.deep.equal([]);
      // strict: an unknown keyword or a dangling $ref is an error, not a silently ignored schema.
      const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
      addFormats(ajv);
      const text = JSON.stringify(schemas).replaceAll('"#/components/schemas/', '"urn:halsync:components#/$defs/');
      const local = JSON.parse(text) as Record<string, object>;
      ajv.addSchema({ $id: 'urn:halsync:components', $defs: local });
      for (const [name, schema] of Object.entries(local)) {
        expect(() => ajv.compile(schema), name).to.not.throw();
      }
    });

    it('is built once and frozen; servers is relative unless the caller names the base', async () => {
      const doc = await loadOpenApi();
      expect(await loadOpenApi()).to.equal(doc);
      expect(Object.isFrozen(doc) && Object.isFrozen(doc['paths'])).to.be.ok;
      expect(doc['servers']).to.deep.equal([{ url: '/', description: 'The node that serves this document (relative to where it is served).' }]);
      const mounted = await loadOpenApi({ serverUrl: 'https://example.org/api' });
      expect(mounted['servers']).to.deep.equal([{ url: 'https://example.org/api' }]);
      expect(mounted['paths']).to.equal(doc['paths']);
      expect(await loadOpenApi({ serverUrl: 'https://example.org/api' })).to.equal(mounted);
    });
  });
});
