import type { Collection } from '../collections.js';
import { expand, type Paths } from '../http/links.js';

/**
 * The served OpenAPI document of one node (DESIGN §5): openapi/openapi.yaml's generic
 * templates turned into the node's own paths, one set per configured collection
 * (`/notes/{itemId}`, or wherever `paths` put them), with that collection's JSON Schema as
 * the type of `data`, so a client generated from it is typed per collection and no two paths
 * are ambiguous. The generic templates (`/{collection}/transactions`, placed as the node's
 * `paths` say) stay documented, for clients of nodes whose collections change, under
 * `x-generic-paths`: in `paths` they would be ambiguous with `/jobs/{jobId}` and the like
 * (Redocly's no-ambiguous-paths), and as `components/pathItems` their path parameters would
 * belong to no path. openapi/openapi.yaml is the generic document itself.
 */
type Obj = { [key: string]: unknown };

export interface NodeDescription {
  paths: Paths;
  collections: Iterable<Collection>;
}

/** Each generic path of the document, by the `Paths` key that places it on a node. */
const PLACES: Record<string, keyof Paths> = {
  '/': 'root',
  '/{collection}': 'collection',
  '/{collection}/transactions': 'transactions',
  '/{collection}/{itemId}': 'item',
  '/jobs/{jobId}': 'job',
  '/rels/{rel}': 'rel',
  '/schemas/{collection}': 'schema',
  '/openapi': 'openapi',
  '/docs': 'docs',
  '/{collection}/conflicts': 'conflicts',
  '/{collection}/conflicts/{conflictId}': 'conflict',
  '/{collection}/conflicts/{conflictId}/restore': 'restore',
};

/**
 * The generic schemas whose `data` is the item's data, and whether it may be null there (a
 * tombstone). A collection's copy is a full copy with `data` typed, not `allOf` the generic
 * one and an overlay: the generic `data` is any JSON value, which openapi-typescript-codegen
 * and swagger-typescript-api write as `any`, and `any & NotesData` is `any`. A generic one
 * that nothing but the generic templates uses any more is written out only under
 * `x-generic-paths`.
 */
const TYPED: Record<string, { nullable: boolean }> = {
  Item: { nullable: false },
  ItemWrite: { nullable: false },
  LogEntry: { nullable: true },
  // A log entry is a version or a removal (DESIGN §2): only the version carries data.
  VersionEntry: { nullable: true },
  LogPage: { nullable: true },
  SyncLog: { nullable: true },
};

const COLLECTION_PARAMETER = '#/components/parameters/collectionParam';
const ITEM_WRITE = '#/components/requestBodies/ItemWrite';

/** A collection's tag (not its bare name: a collection may be called `items`, like the generic tag). */
function tagOf(collection: Collection): string {
  return `collection ${collection.name}`;
}

function inline<T>(value: T, targets: Obj): T {
  if (Array.isArray(value)) return value.map((v) => inline(v, targets)) as T;
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as Obj)['$ref'];
  // Recursively: a written-out schema may refer to another (LogPage to LogEntry).
  if (typeof ref === 'string' && ref in targets) return inline(structuredClone(targets[ref]), targets) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inline(v, targets)])) as T;
}

export function nodeOpenApi(generic: Readonly<Obj>, node: NodeDescription): Obj {
  const doc = structuredClone(generic) as Obj;
  const components = doc['components'] as Obj;
  const schemas = components['schemas'] as Obj;
  const requestBodies = components['requestBodies'] as Obj;
  const collections = [...node.collections];
  const prefixes = prefixesOf(collections);
  const paths: Obj = {};
  const generics: Obj = {};
  const bodies: Obj = {};

  for (const [template, item] of Object.entries(generic['paths'] as Obj)) {
    const place = PLACES[template];
    const placed = place === undefined ? template : node.paths[place];
    if (!template.includes('{collection}')) {
      paths[placed] = structuredClone(item);
      continue;
    }
    generics[placed] = rename(structuredClone(item) as Obj, (id) => `any${pascal(id)}`);
    for (const collection of collections) {
      const prefix = prefixes.get(collection.name)!;
      // A restore may answer a tombstone (data null): it keeps the generic Item.
      const typed = place !== 'restore';
      paths[expand(placed, { collection: collection.name })] = concrete(structuredClone(item) as Obj, collection, prefix, typed);
    }
  }
  for (const collection of collections) {
    const prefix = prefixes.get(collection.name)!;
    schemas[`${prefix}Data`] = dataSchema(collection, prefix);
    for (const [name, { nullable }] of Object.entries(TYPED)) schemas[`${prefix}${name}`] = typedCopy(schemas[name], prefix, nullable);
    bodies[`${ITEM_WRITE.slice(0, -'ItemWrite'.length)}${prefix}ItemWrite`] = retarget(structuredClone(requestBodies['ItemWrite']), prefix);
    (doc['tags'] as Obj[]).push({
      name: tagOf(collection),
      description: `The collection "${collection.title}": its log, its items and its conflicts; \`data\` is typed by its schema (\`${prefix}Data\`).`,
    });
  }
  // Only the generic templates use these: written out there, so no component is left unused.
  const only: Obj = { [COLLECTION_PARAMETER]: (components['parameters'] as Obj)['collectionParam'], [ITEM_WRITE]: requestBodies['ItemWrite'] };
  delete (components['parameters'] as Obj)['collectionParam'];
  delete requestBodies['ItemWrite'];
  // Written into each write, not `$ref`'d: swagger-typescript-api sends no Content-Type for a $ref'd body, and fetch then sends text/plain (a 415).
  doc['paths'] = inline(paths, bodies);
  if (Object.keys(requestBodies).length === 0) delete components['requestBodies'];
  const unusedGenerics = collections.length > 0 ? unused(doc, Object.keys(TYPED)) : [];
  for (const name of unusedGenerics) only[`#/components/schemas/${name}`] = schemas[name];
  doc['x-generic-paths'] = inline(generics, only);
  for (const name of unusedGenerics) delete schemas[name];
  return statusRangesAsDefault(doc);
}

/** Those of the schemas `names` that nothing in `doc` refers to once the unused ones are gone (LogEntry, once LogPage and SyncLog are). */
function unused(doc: Obj, names: string[]): string[] {
  const gone = new Set<string>();
  for (let changed = true; changed;) {
    const refs = new Set<string>();
    const walk = (value: unknown): void => {
      if (value === null || typeof value !== 'object') return;
      for (const [key, v] of Object.entries(value)) {
        if (key === '$ref' && typeof v === 'string') refs.add(v);
        else walk(v);
      }
    };
    for (const [key, value] of Object.entries(doc)) if (key !== 'components') walk(value);
    for (const [section, entries] of Object.entries(doc['components'] as Obj)) {
      for (const [name, value] of Object.entries(entries as Obj)) if (section !== 'schemas' || !gone.has(name)) walk(value);
    }
    const before = gone.size;
    for (const name of names) if (!refs.has(`#/components/schemas/${name}`)) gone.add(name);
    changed = gone.size > before;
  }
  return [...gone];
}

/**
 * `5XX` becomes `default` in the served document: orval (7.x) writes `status: 5XX` into its
 * types, which no TypeScript compiler takes. openapi/openapi.yaml keeps `5XX`, which the
 * contract hook holds each answer to.
 */
function statusRangesAsDefault(doc: Obj): Obj {
  for (const item of Object.values(doc['paths'] as Obj)) {
    for (const operation of operations(item as Obj)) {
      const responses = operation['responses'] as Obj;
      if (responses['5XX'] === undefined || responses['default'] !== undefined) continue;
      responses['default'] = responses['5XX'];
      delete responses['5XX'];
    }
  }
  return doc;
}

/** `notes`, `my-notes` → `Notes`, `MyNotes`; two names that spell the same get a number. */
function prefixesOf(collections: Collection[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const { name } of collections) {
    let base = pascal(name) || 'Collection';
    if (/^\d/.test(base)) base = `C${base}`;
    let prefix = base;
    for (let n = 2; used.has(prefix.toLowerCase()); n++) prefix = `${base}${n}`;
    used.add(prefix.toLowerCase());
    out.set(name, prefix);
  }
  return out;
}

/** One collection's copy of a generic path item: no `collection` parameter, its own operationIds, tag and types. */
function concrete(item: Obj, collection: Collection, prefix: string, typed: boolean): Obj {
  const lower = prefix[0]!.toLowerCase() + prefix.slice(1);
  rename(item, (id) => `${lower}${pascal(id)}`);
  dropCollectionParameter(item);
  for (const operation of operations(item)) {
    operation['tags'] = [tagOf(collection)];
    for (const response of Object.values((operation['responses'] ?? {}) as Obj)) {
      for (const link of Object.values(((response as Obj)['links'] ?? {}) as Obj)) delete ((link as Obj)['parameters'] as Obj | undefined)?.['collection'];
    }
  }
  return typed ? retarget(item, prefix) : item;
}

function operations(item: Obj): Obj[] {
  return ['get', 'put', 'post', 'delete'].map((m) => item[m] as Obj | undefined).filter((o): o is Obj => o !== undefined);
}

/** Renames every operationId of a path item, and the link targets that name them. */
function rename(item: Obj, to: (id: string) => string): Obj {
  for (const operation of operations(item)) {
    operation['operationId'] = to(String(operation['operationId']));
    for (const response of Object.values((operation['responses'] ?? {}) as Obj)) {
      for (const link of Object.values(((response as Obj)['links'] ?? {}) as Obj)) {
        const l = link as Obj;
        if (typeof l['operationId'] === 'string') l['operationId'] = to(l['operationId']);
      }
    }
  }
  return item;
}

function dropCollectionParameter(item: Obj): void {
  for (const holder of [item, ...operations(item)]) {
    const parameters = holder['parameters'] as Obj[] | undefined;
    if (!parameters) continue;
    const kept = parameters.filter((p) => p['$ref'] !== COLLECTION_PARAMETER);
    if (kept.length > 0) holder['parameters'] = kept;
    else delete holder['parameters'];
  }
}

/** Every `$ref` to a typed schema or to the ItemWrite body, pointed at the collection's copy. */
function retarget<T>(value: T, prefix: string): T {
  if (Array.isArray(value)) return value.map((v) => retarget(v, prefix)) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Obj = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === '$ref' && typeof v === 'string') {
      const schema = /^#\/components\/schemas\/([^/]+)$/.exec(v)?.[1];
      const body = v === ITEM_WRITE;
      out[key] =
        schema !== undefined && schema in TYPED ? `#/components/schemas/${prefix}${schema}` : body ? `${v.slice(0, -'ItemWrite'.length)}${prefix}ItemWrite` : v;
    } else out[key] = retarget(v, prefix);
  }
  return out as T;
}

/** A full copy of a generic schema with every `data` property typed, and its refs to typed schemas retargeted. */
function typedCopy(schema: unknown, prefix: string, nullable: boolean): unknown {
  const ref = { $ref: `#/components/schemas/${prefix}Data` };
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Obj = {};
    for (const [key, v] of Object.entries(value)) out[key] = walk(v);
    const properties = out['properties'] as Obj | undefined;
    const data = properties?.['data'] as Obj | undefined;
    if (properties && data) {
      const description = data['description'];
      properties['data'] = { ...(description === undefined ? {} : { description }), ...(nullable ? { oneOf: [ref, { type: 'null' }] } : ref) };
    }
    return out;
  };
  return retarget(walk(schema), prefix);
}

/** The collection's schema as a component: its dialect line dropped, its own `#…` refs pointed inside the component. */
function dataSchema(collection: Collection, prefix: string): unknown {
  const { $schema: _dialect, $id: _id, ...schema } = collection.schema;
  const base = `#/components/schemas/${prefix}Data`;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object') return value;
    const out: Obj = {};
    for (const [key, v] of Object.entries(value)) out[key] = key === '$ref' && typeof v === 'string' && v.startsWith('#') ? base + v.slice(1) : walk(v);
    return out;
  };
  return { description: `The data of an item of "${collection.title}" (its describedby schema).`, ...(walk(schema) as Obj) };
}

function pascal(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]!.toUpperCase() + word.slice(1))
    .join('');
}
