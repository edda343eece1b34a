import { readFile } from 'node:fs/promises';

/**
 * The OpenAPI document served at the root's `service-desc` link.
 *
 * `openapi/openapi.yaml` references the JSON Schemas in `spec/` (one source of truth);
 * `loadOpenApi()` bundles it into one self-contained document: every schema file it
 * reaches becomes a `components/schemas` entry named after the file (`log-page.schema.json`
 * → `LogPage`), every `$defs` entry of a schema file becomes an entry of its own
 * (`defs.schema.json#/$defs/itemId` → `ItemId`), and every `$ref` is rewritten to point
 * inside the document. The result is built once, deep-frozen and shared.
 */
export const OPENAPI_FILE = new URL('../../../../openapi/openapi.yaml', import.meta.url);

type JsonObject = { [key: string]: unknown };

export interface OpenApiOptions {
  /** The `servers` URL. Default `/`: relative to wherever the document is served. */
  serverUrl?: string;
}

let bundled: Promise<Readonly<JsonObject>> | undefined;
const byServerUrl = new Map<string, Readonly<JsonObject>>();

export async function loadOpenApi(options: OpenApiOptions = {}): Promise<Readonly<JsonObject>> {
  bundled ??= bundleOpenApi(OPENAPI_FILE).then(deepFreeze);
  // A failed build is not cached: the next call tries again (and reports the error again).
  const doc = await bundled.catch((error: unknown) => {
    bundled = undefined;
    throw error;
  });
  const serverUrl = options.serverUrl ?? '/';
  if (serverUrl === '/') return doc;
  let variant = byServerUrl.get(serverUrl);
  if (!variant) {
    variant = deepFreeze({ ...doc, servers: [{ url: serverUrl }] });
    byServerUrl.set(serverUrl, variant);
  }
  return variant;
}

/** Bundles an OpenAPI document and the schema files it references into one document. */
export async function bundleOpenApi(file: URL): Promise<JsonObject> {
  // yaml is loaded here, at the first request for the document, not with the server.
  const { parse } = await import('yaml');
  const doc = parse(await readFile(file, 'utf8')) as JsonObject;
  const components = (doc['components'] ??= {}) as JsonObject;
  const schemas = (components['schemas'] ??= {}) as JsonObject;
  const bundler = new Bundler(file.href, schemas);
  const result = bundler.rewrite(doc, file) as JsonObject;
  await bundler.loadAll();
  (result['components'] as JsonObject)['schemas'] = sortKeys(schemas);
  return result;
}

/**
 * One bundling run. A schema is named by its origin: a whole file (`…/item.schema.json#`)
 * or one of its `$defs` (`…/defs.schema.json#/$defs/link`). Only what is referenced is added.
 */
class Bundler {
  /** Component name → its origin; two origins for one name is an error, not a silent overwrite. */
  private readonly names = new Map<string, string>();
  /** Origin → component name. */
  private readonly origins = new Map<string, string>();
  private readonly pending: string[] = [];
  private readonly files = new Map<string, JsonObject>();

  constructor(
    private readonly root: string,
    private readonly schemas: JsonObject,
  ) {
    for (const name of Object.keys(schemas)) this.names.set(name, `${root}#/components/schemas/${name}`);
  }

  /** A copy of `value` with every `$ref` (relative to `base`) rewritten to a local one. */
  rewrite(value: unknown, base: URL): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v, base));
    if (value === null || typeof value !== 'object') return value;
    const out: JsonObject = {};
    for (const [key, v] of Object.entries(value)) {
      out[key] = key === '$ref' && typeof v === 'string' ? this.localRef(v, base) : this.rewrite(v, base);
    }
    return out;
  }

  /** Adds every schema referenced so far, and those they reference, to the components. */
  async loadAll(): Promise<void> {
    for (let origin = this.pending.shift(); origin !== undefined; origin = this.pending.shift()) {
      const [file, pointer] = splitOrigin(origin);
      // The document's dialect (OpenAPI 3.1: JSON Schema 2020-12) replaces $schema; $defs are hoisted.
      const { $schema: _dialect, $defs: defs, ...whole } = await this.read(file);
      const schema = pointer === '' ? whole : (defs as JsonObject | undefined)?.[pointer.slice('/$defs/'.length)];
      if (schema === undefined) throw new Error(`OpenAPI bundle: ${origin} does not exist`);
      this.schemas[this.origins.get(origin)!] = this.rewrite(schema, new URL(file));
    }
  }

  private async read(file: string): Promise<JsonObject> {
    let schema = this.files.get(file);
    if (!schema) {
      const text = await readFile(new URL(file), 'utf8').catch((error: Error) => {
        throw new Error(`OpenAPI bundle: cannot read ${file}: ${error.message}`);
      });
      schema = JSON.parse(text) as JsonObject;
      // An $id would make the file's refs resolve against it rather than against its location.
      if (schema['$id'] !== undefined) throw new Error(`OpenAPI bundle: ${file} has an $id, which this bundler does not support`);
      this.files.set(file, schema);
    }
    return schema;
  }

  private localRef(ref: string, base: URL): string {
    const url = new URL(ref, base);
    const pointer = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    if (url.href === this.root) return ref.startsWith('#') ? ref : '#' + encodePointer(pointer);
    if (url.protocol !== 'file:') throw new Error(`OpenAPI bundle: only local files can be bundled, not ${ref}`);
    // A whole file, or one $defs entry of it, plus whatever pointer goes deeper.
    const def = /^(\/\$defs\/[^/]+)(.*)$/.exec(pointer);
    if (!def && pointer !== '' && !pointer.startsWith('/')) throw new Error(`OpenAPI bundle: ${ref} is not a JSON Pointer`);
    const [own, rest] = def ? [def[1]!, def[2]!] : ['', pointer];
    if (own === '' && rest.startsWith('/$defs')) throw new Error(`OpenAPI bundle: ${ref} points at $defs itself`);
    return '#/components/schemas/' + this.name(url.href, own) + encodePointer(rest);
  }

  /** The component name of an origin, claimed (and queued for loading) on first use. */
  private name(file: string, pointer: string): string {
    const origin = `${file}#${pointer}`;
    let name = this.origins.get(origin);
    if (name === undefined) {
      const label = pointer === '' ? file.slice(file.lastIndexOf('/') + 1).replace(/(\.schema)?\.json$/, '') : pointer.slice('/$defs/'.length);
      name = pascalCase(label);
      const taken = this.names.get(name);
      if (taken !== undefined) throw new Error(`OpenAPI bundle: two schemas would be named ${name}: ${taken} and ${origin}`);
      this.names.set(name, origin);
      this.origins.set(origin, name);
      this.pending.push(origin);
    }
    return name;
  }
}

function splitOrigin(origin: string): [string, string] {
  const hash = origin.indexOf('#');
  return [origin.slice(0, hash), origin.slice(hash + 1)];
}

function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}

/** A JSON Pointer as a URI fragment (RFC 6901 §6): `/sync:item` stays readable; `%`, `#`, spaces are escaped. */
function encodePointer(pointer: string): string {
  return pointer.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/g, (c) => encodeURIComponent(c));
}

function sortKeys(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).sort(([a], [b]) => a.localeCompare(b)));
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
