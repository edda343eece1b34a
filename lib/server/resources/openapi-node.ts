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
 * The generic schemas whose `data` is the item's data, whether it may be null there (a
 * tombstone), and how a collection's copy is made: `allOf` the generic one and an overlay
 * typing `data`, or (where the data sits in array items, which generators intersect as
 * whole arrays and so lose the type) a full copy, the generic one then written out only
 * under `x-generic-paths`.
 */
const TYPED: Record<string, { nullable: boolean; copy: boolean }> = {
  Item: { nullable: false, copy: false },
  ItemWrite: { nullable: false, copy: false },
  LogEntry: { nullable: true, copy: false },
  LogPage: { nullable: true, copy: true },
  SyncLog: { nullable: true, copy: true },
};

const COLLECTION_PARAMETER = '#/components/parameters/collection';
const ITEM_WRITE = '#/components/requestBodies/ItemWrite';

/** A collection's tag (not its bare name: a collection may be called `items`, like the generic tag). */
function tagOf(collection: Collection): string {
  return `collection ${collection.name}`;
}

function inline<T>(value: T, targets: Obj): T {
  if (Array.isArray(value)) return value.map((v) => inline(v, targets)) as T;
  if (value === null || typeof value !== 'object') return value;
  const ref = (value as Obj)['$ref'];
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
    for (const [name, { nullable, copy }] of Object.entries(TYPED)) {
      schemas[`${prefix}${name}`] = copy ? typedCopy(schemas[name], prefix, nullable) : typedSchema(name, schemas, prefix, nullable);
    }
    requestBodies[`${prefix}ItemWrite`] = retarget(structuredClone(requestBodies['ItemWrite']), prefix);
    (doc['tags'] as Obj[]).push({
      name: tagOf(collection),
      description: `The collection "${collection.title}": its log, its items and its conflicts; \`data\` is typed by its schema (\`${prefix}Data\`).`,
    });
  }
  // Only the generic templates use these: written out there, so no component is left unused.
  const only: Obj = { [COLLECTION_PARAMETER]: (components['parameters'] as Obj)['collection'], [ITEM_WRITE]: requestBodies['ItemWrite'] };
  // A union's typed copies name its alternatives, not the generic union: it too is written out under x-generic-paths.
  const unions = Object.keys(TYPED).filter((name) => Array.isArray((schemas[name] as Obj)['oneOf']));
  const copied = collections.length > 0 ? Object.keys(TYPED).filter((name) => TYPED[name]!.copy || unions.includes(name)) : [];
  for (const name of copied) only[`#/components/schemas/${name}`] = schemas[name];
  doc['x-generic-paths'] = inline(generics, only);
  delete (components['parameters'] as Obj)['collection'];
  delete requestBodies['ItemWrite'];
  for (const name of copied) delete schemas[name];
  doc['paths'] = paths;
  return statusRangesAsDefault(doc);
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

/**
 * A collection's copy of a generic schema: `allOf` the generic one (so it stays in use and
 * checked) and an overlay that types each `data` inside it (and the typed schemas it refers to).
 */
function typedSchema(generic: string, schemas: Obj, prefix: string, nullable: boolean): unknown {
  const data = { $ref: `#/components/schemas/${prefix}Data` };
  const typedData = nullable ? { oneOf: [data, { type: 'null' }] } : data;
  const overlay = (value: unknown): Obj | undefined => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    const node = value as Obj;
    const ref = typeof node['$ref'] === 'string' ? /^#\/components\/schemas\/([^/]+)$/.exec(node['$ref'])?.[1] : undefined;
    if (ref !== undefined) return ref in TYPED ? { $ref: `#/components/schemas/${prefix}${ref}` } : overlay(schemas[ref]);
    const out: Obj = {};
    const properties: Obj = {};
    for (const [key, child] of Object.entries((node['properties'] ?? {}) as Obj)) {
      const typed = key === 'data' ? typedData : overlay(child);
      if (typed) properties[key] = typed;
    }
    if (Object.keys(properties).length > 0) {
      out['properties'] = properties;
      const required = ((node['required'] ?? []) as string[]).filter((name) => name in properties);
      if (required.length > 0) out['required'] = required;
    }
    const items = overlay(node['items']);
    if (items) out['items'] = items;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  // A union (a log entry: a version or a removal) is typed alternative by alternative: a
  // generator then narrows on the alternative, and only the one with `data` gets it typed.
  const alternatives = (schemas[generic] as Obj)['oneOf'];
  if (Array.isArray(alternatives)) return { oneOf: alternatives.map((alternative) => withOverlay(alternative, overlay(alternative))) };
  return { allOf: [{ $ref: `#/components/schemas/${generic}` }, overlay(schemas[generic]) ?? {}] };
}

function withOverlay(alternative: unknown, typed: Obj | undefined): unknown {
  return typed ? { allOf: [alternative, typed] } : alternative;
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
