import fc from 'fast-check';

/**
 * Hostile requests for every endpoint of DESIGN §1–2, as data: a test sends each one to a live
 * node and checks what the design promises of any request — no 5xx, no hang,
 * `application/problem+json` for every 4xx, nothing written — and, where the design names it,
 * the status (`expect`).
 *
 * None of these requests may write: each is malformed, refused by a precondition, or a read.
 * So a digest of the store taken before and after must not change.
 *
 * Paths are sent exactly as given (no normalization: `/items/../x` stays as it is on the wire).
 */

export interface HostileRequest {
  /** What is hostile about it, for the failure message. */
  name: string;
  method: string;
  /** Path and query, as sent on the wire. */
  path: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer;
  /** The statuses the design names for this request, when it names one. */
  expect?: readonly number[];
  /** Text that must not appear in the answer (for example a file outside the API). */
  mustNotContain?: readonly string[];
  /**
   * Node's HTTP parser refuses it before the app sees it (header limits): the answer is Node's,
   * without a body, so only "no 5xx, no hang, nothing written" applies.
   */
  refusedByNode?: true;
}

/** Where the node's resources are (found from the root's links, or the defaults of DESIGN §1). */
export interface Endpoints {
  root: string;
  /** The collection, e.g. `/items`. */
  collection: string;
  /** Its transaction log, e.g. `/items/transactions`. */
  transactions: string;
  /** An item's path, e.g. `/items/<itemId>`. */
  item: (itemId: string) => string;
  /** A relation's documentation page, e.g. `/rels/item`. */
  rel: (name: string) => string;
  /** An item that exists on the node (writes to it must be refused by their If-Match). */
  existingItemId: string;
}

export function defaultEndpoints(existingItemId: string, collection = 'items'): Endpoints {
  return {
    root: '/',
    collection: `/${collection}`,
    transactions: `/${collection}/transactions`,
    item: (itemId) => `/${collection}/${itemId}`,
    rel: (name) => `/rels/${name}`,
    existingItemId,
  };
}

const JSON_TYPE = { 'content-type': 'application/json' };
const MiB = 1024 * 1024;
/** A fresh UUID no history uses: a write to it would be visible in the digest. */
export const UNUSED_ITEM_ID = '6f1c1b52-0d4e-4c57-9a43-6c7b1a0f9e21';
const FINGERPRINT_OF_NULL = '2be88ca4242c76e8253ac62474851065032d6833';
const FINGERPRINT_OF_EMPTY_OBJECT = 'bf21a9e8fbc5a3846fb05b4fa0859e0917b2202f';
const ISO = '2026-01-01T00:00:00.000Z';
/** A second unused UUID, for logs with two entries. */
const ITEM_2 = 'b3d7e0a4-5f61-4b8e-8c2d-9e0f1a2b3c4d';

function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}

/** `levels` nested arrays: `[[[…]]]`. */
function nestedArrays(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** `levels` nested objects: `{"a":{"a":…{}}}`. */
function nestedObjects(levels: number): string {
  return '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
}

/** A valid-looking sync log entry; `over` replaces fields (undefined values drop them). */
function entry(over: Record<string, unknown> = {}): Record<string, unknown> {
  const base: Record<string, unknown> = {
    itemId: UNUSED_ITEM_ID,
    updatedAt: ISO,
    fingerprint: FINGERPRINT_OF_EMPTY_OBJECT,
    deleted: false,
    data: {},
    base: null,
  };
  for (const [key, value] of Object.entries(over)) {
    if (value === undefined) delete base[key];
    else base[key] = value;
  }
  return base;
}

/** A sync log whose first entry is valid and whose second is `bad`: nothing may be applied. */
function logWith(bad: Record<string, unknown>): Buffer {
  return json({ entries: [entry({ itemId: ITEM_2 }), bad] });
}

let bigString: string | null = null;
/** 10 MB of text (10,000,000 characters: under the 10 MiB body limit, over any sane field). */
function tenMegabytes(): string {
  return (bigString ??= 'x'.repeat(10_000_000));
}

export function badJson(e: Endpoints): HostileRequest[] {
  const bodies: Array<[string, string]> = [
    ['truncated object', '{"entries": ['],
    ['single quotes', "{'entries': []}"],
    ['trailing comma', '{"entries": [],}'],
    ['bare word', 'nul'],
    ['empty body', ''],
    ['NUL byte', '{"entries":\u0000[]}'],
    ['lone surrogate escape inside garbage', '{"entries": ["\\ud800"'],
    ['BOM then garbage', '\ufeff{"entries": [}'],
    ['comment', '{"entries": [] /* hi */}'],
    ['NaN', '{"entries": NaN}'],
  ];
  const targets: Array<[string, string]> = [
    ['PUT', e.transactions],
    ['PUT', e.item(UNUSED_ITEM_ID)],
    ['POST', e.collection],
  ];
  return targets.flatMap(([method, path]) =>
    bodies.map(([what, text]) => ({
      name: `bad JSON (${what}) to ${method} ${path}`,
      method,
      path,
      headers: JSON_TYPE,
      body: Buffer.from(text, 'utf8'),
      expect: [400],
    })),
  );
}

export function wrongTypes(e: Endpoints): HostileRequest[] {
  const logs: Array<[string, unknown, number[] | undefined]> = [
    ['body is an array', [], [422]],
    ['body is null', null, [422]],
    ['body is a string', 'entries', [422]],
    ['entries is an object', { entries: {} }, [422]],
    ['entries is a string', { entries: 'all' }, [422]],
    ['itemId is a number', { entries: [entry({ itemId: 5 })] }, [422]],
    ['itemId is not a UUID', { entries: [entry({ itemId: 'not-a-uuid' })] }, [422]],
    ['itemId is a path', { entries: [entry({ itemId: '../../etc/passwd' })] }, [422]],
    ['updatedAt is not ISO', { entries: [entry({ updatedAt: 'yesterday' })] }, [422]],
    ['updatedAt without milliseconds', { entries: [entry({ updatedAt: '2026-01-01T00:00:00Z' })] }, [422]],
    ['updatedAt is a number', { entries: [entry({ updatedAt: 1767225600000 })] }, [422]],
    ['updatedAt is impossible', { entries: [entry({ updatedAt: '2026-13-45T25:61:61.000Z' })] }, [422]],
    ['fingerprint in upper case', { entries: [entry({ fingerprint: FINGERPRINT_OF_EMPTY_OBJECT.toUpperCase() })] }, [422]],
    ['fingerprint too short', { entries: [entry({ fingerprint: 'abc' })] }, [422]],
    ['deleted is a string', { entries: [entry({ deleted: 'yes' })] }, [422]],
    ['base is a number', { entries: [entry({ base: 5 })] }, [422]],
    ['since is a number', { since: 5, entries: [entry()] }, [422]],
    ['since is empty', { since: '', entries: [entry()] }, undefined],
    ['since is garbage', { since: '!!!', entries: [entry()] }, undefined],
    ['missing data', { entries: [entry({ data: undefined })] }, [422]],
    ['fingerprint does not match data', { entries: [entry({ data: { a: 1 } })] }, [422]],
    ['tombstone with data', { entries: [entry({ deleted: true, data: { a: 1 }, fingerprint: FINGERPRINT_OF_NULL })] }, [422]],
    ['no base and no since', { entries: [entry({ base: undefined })] }, [422]],
    ['a good entry then one whose fingerprint does not match', JSON.parse(logWith(entry({ fingerprint: 'f'.repeat(40) })).toString('utf8')), [422]],
  ];
  const requests: HostileRequest[] = logs.map(([what, body, expect]) => ({
    name: `sync log: ${what}`,
    method: 'PUT',
    path: e.transactions,
    headers: JSON_TYPE,
    body: json(body),
    expect,
  }));
  // JSON.parse reads 1e999 as Infinity, which has no canonical JSON: must be refused, not crash.
  requests.push({
    name: 'sync log: data holding 1e999',
    method: 'PUT',
    path: e.transactions,
    headers: JSON_TYPE,
    body: Buffer.from(
      `{"entries":[{"itemId":"${UNUSED_ITEM_ID}","updatedAt":"${ISO}","fingerprint":"${'0'.repeat(40)}","deleted":false,"data":{"n":1e999},"base":null}]}`,
    ),
  });
  requests.push(
    { name: 'item PUT: data holding 1e999', method: 'PUT', path: e.item(UNUSED_ITEM_ID), headers: JSON_TYPE, body: Buffer.from('{"data":{"n":1e999}}') },
    { name: 'collection POST: data holding -1e999', method: 'POST', path: e.collection, headers: JSON_TYPE, body: Buffer.from('{"data":{"n":-1e999}}') },
  );
  const writes: Array<[string, string]> = [
    ['data missing', '{}'],
    ['body is an array', '[]'],
    ['body is a number', '42'],
    ['body is null', 'null'],
    ['data holding 1e999, under a garbage If-Match', '{"data":{"n":1e999}}'],
  ];
  for (const [what, text] of writes) {
    requests.push({
      name: `item write: ${what}`,
      method: 'PUT',
      path: e.item(e.existingItemId),
      headers: { ...JSON_TYPE, 'if-match': '"0000000000000000000000000000000000000000"' },
      body: Buffer.from(text),
    });
  }
  requests.push(
    { name: 'item PUT: data missing', method: 'PUT', path: e.item(UNUSED_ITEM_ID), headers: JSON_TYPE, body: Buffer.from('{}'), expect: [422] },
    { name: 'collection POST: data missing', method: 'POST', path: e.collection, headers: JSON_TYPE, body: Buffer.from('{"date":{}}'), expect: [422] },
    { name: 'collection POST: body is an array', method: 'POST', path: e.collection, headers: JSON_TYPE, body: Buffer.from('[{"data":{}}]'), expect: [422] },
  );
  return requests;
}

export function unknownFields(e: Endpoints): HostileRequest[] {
  return [
    {
      name: 'sync log: unknown top-level field',
      method: 'PUT',
      path: e.transactions,
      headers: JSON_TYPE,
      body: json({ entries: [entry()], admin: true }),
      expect: [422],
    },
    {
      name: 'sync log: unknown entry field',
      method: 'PUT',
      path: e.transactions,
      headers: JSON_TYPE,
      body: json({ entries: [entry({ seq: 1 })] }),
      expect: [422],
    },
    {
      name: 'sync log: __proto__ entry field',
      method: 'PUT',
      path: e.transactions,
      headers: JSON_TYPE,
      body: Buffer.from(
        `{"entries":[{"__proto__":{"admin":true},"itemId":"${UNUSED_ITEM_ID}","updatedAt":"${ISO}","fingerprint":"${FINGERPRINT_OF_EMPTY_OBJECT}","deleted":false,"data":{},"base":null}]}`,
      ),
      expect: [422],
    },
    {
      name: 'item PUT: unknown field next to data',
      method: 'PUT',
      path: e.item(UNUSED_ITEM_ID),
      headers: JSON_TYPE,
      body: json({ data: {}, updatedAt: ISO }),
      expect: [422],
    },
    {
      name: 'item PUT: __proto__ next to data',
      method: 'PUT',
      path: e.item(UNUSED_ITEM_ID),
      headers: JSON_TYPE,
      body: Buffer.from('{"__proto__":{"polluted":true},"data":{}}'),
      expect: [422],
    },
    {
      name: 'item PUT: constructor.prototype next to data',
      method: 'PUT',
      path: e.item(UNUSED_ITEM_ID),
      headers: JSON_TYPE,
      body: Buffer.from('{"constructor":{"prototype":{"polluted":true}},"data":{}}'),
      expect: [422],
    },
    {
      name: 'collection POST: unknown field',
      method: 'POST',
      path: e.collection,
      headers: JSON_TYPE,
      body: json({ data: {}, itemId: UNUSED_ITEM_ID }),
      expect: [422],
    },
  ];
}

export function deepNesting(e: Endpoints): HostileRequest[] {
  const requests: HostileRequest[] = [];
  for (const levels of [65, 66, 1000, 100_000]) {
    const arrays = nestedArrays(levels);
    const objects = nestedObjects(levels);
    requests.push(
      {
        name: `item PUT: data nested ${levels} arrays deep`,
        method: 'PUT',
        path: e.item(UNUSED_ITEM_ID),
        headers: JSON_TYPE,
        body: Buffer.from(`{"data":${arrays}}`),
        expect: [422],
      },
      {
        name: `collection POST: data nested ${levels} objects deep`,
        method: 'POST',
        path: e.collection,
        headers: JSON_TYPE,
        body: Buffer.from(`{"data":${objects}}`),
        expect: [422],
      },
      {
        name: `sync log: entry data nested ${levels} arrays deep`,
        method: 'PUT',
        path: e.transactions,
        headers: JSON_TYPE,
        body: Buffer.from(
          `{"entries":[{"itemId":"${UNUSED_ITEM_ID}","updatedAt":"${ISO}","fingerprint":"${'0'.repeat(40)}","deleted":false,"data":${arrays},"base":null}]}`,
        ),
        expect: [422],
      },
    );
  }
  requests.push({
    name: 'sync log: the body itself 100000 arrays deep',
    method: 'PUT',
    path: e.transactions,
    headers: JSON_TYPE,
    body: Buffer.from(nestedArrays(100_000)),
    expect: [422],
  });
  return requests;
}

export function hugeInputs(e: Endpoints): HostileRequest[] {
  const big = tenMegabytes();
  const over = Buffer.alloc(10 * MiB + 1024, 0x20);
  over.write('{"entries":[], "pad": "', 0);
  over.write('"}', over.length - 2);
  return [
    {
      name: 'sync log: a 10 MB itemId',
      method: 'PUT',
      path: e.transactions,
      headers: JSON_TYPE,
      body: json({ entries: [entry({ itemId: big })] }),
      expect: [422],
    },
    {
      name: 'sync log: a 10 MB unknown field',
      method: 'PUT',
      path: e.transactions,
      headers: JSON_TYPE,
      body: json({ entries: [entry()], pad: big }),
      expect: [422],
    },
    { name: 'sync log: a 10 MB since', method: 'PUT', path: e.transactions, headers: JSON_TYPE, body: json({ since: big, entries: [] }) },
    {
      name: 'item PUT: 10 MB of data under a stale If-Match',
      method: 'PUT',
      path: e.item(e.existingItemId),
      headers: { ...JSON_TYPE, 'if-match': '"0000000000000000000000000000000000000000"' },
      body: json({ data: { text: big } }),
      expect: [412],
    },
    { name: 'sync log: a body over 10 MiB', method: 'PUT', path: e.transactions, headers: JSON_TYPE, body: over, expect: [413] },
    {
      name: 'item PUT: a body over 10 MiB',
      method: 'PUT',
      path: e.item(UNUSED_ITEM_ID),
      headers: JSON_TYPE,
      body: json({ data: { text: big + big.slice(0, 600_000) } }),
      expect: [413],
    },
    { name: 'collection POST: a body over 10 MiB', method: 'POST', path: e.collection, headers: JSON_TYPE, body: over, expect: [413] },
    { name: 'a 10 KB cursor', method: 'GET', path: `${e.transactions}?cursor=${'A'.repeat(10_000)}`, expect: [400] },
  ];
}

export function badQueries(e: Endpoints): HostileRequest[] {
  const t = e.transactions;
  const queries: Array<[string, number[] | undefined]> = [
    ['cursor=garbage!', [400]],
    ['cursor=', undefined],
    ['cursor=%00', [400]],
    ['cursor=' + Buffer.from('not-a-store:12').toString('base64url'), [400]],
    ['cursor=' + Buffer.from('00000000-0000-4000-8000-000000000000:12').toString('base64url'), undefined],
    ['cursor=' + Buffer.from('00000000-0000-4000-8000-000000000000:99999999999999999999').toString('base64url'), [400]],
    ['cursor=' + Buffer.from('00000000-0000-4000-8000-000000000000:-1').toString('base64url'), [400]],
    ['earliest=yesterday', [400]],
    ['earliest=2026-13-45T25:61:61.000Z', [400]],
    ['earliest=%27%20OR%201%3D1--', [400]],
    ['limit=-1', [400]],
    ['limit=abc', [400]],
    ['limit=1.5', [400]],
    ['limit=1e3', undefined],
    ['limit=99999999999999999999999', undefined],
    ['limit=0', undefined],
    ['limit=10001', undefined],
    ['limit=', undefined],
    ['limit=1&limit=2', undefined],
    ['limit[]=1', undefined],
    ['limit[$gt]=0', undefined],
    ['embed=everything', undefined],
    ['embed=data&embed=data', undefined],
    ['earliest=2026-01-01T00:00:00.000Z&cursor=garbage!', [400]],
    ['%ff=%fe', undefined],
    ['cursor=%E0%A4%A', undefined],
  ];
  return queries.map(([query, expect]) => ({ name: `log query ${query.slice(0, 60)}`, method: 'GET', path: `${t}?${query}`, expect }));
}

export function badItemIds(e: Endpoints): HostileRequest[] {
  const ids = [
    'not-a-uuid',
    '00000000-0000-4000-8000-00000000000',
    '00000000-0000-4000-8000-0000000000001',
    '00000000000040008000000000000001',
    '{00000000-0000-4000-8000-000000000001}',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    '%20',
    '%00',
    '1%20OR%201%3D1',
    "'%3B--",
    '%F0%9F%92%A9',
    '%ff',
    'urn:uuid:00000000-0000-4000-8000-000000000001',
  ];
  return ids.flatMap((id) =>
    (['GET', 'PUT', 'DELETE'] as const).map((method) => ({
      name: `itemId ${id} (${method})`,
      method,
      path: e.item(id),
      headers: method === 'PUT' ? JSON_TYPE : undefined,
      body: method === 'PUT' ? Buffer.from('{"data":{}}') : undefined,
      expect: id === '%ff' ? undefined : [400],
    })),
  );
}

export function wrongContentTypes(e: Endpoints): HostileRequest[] {
  const types: Array<string | undefined> = [
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/octet-stream',
  ];
  const targets: Array<[string, string, Buffer]> = [
    ['PUT', e.transactions, json({ entries: [entry()] })],
    ['PUT', e.item(UNUSED_ITEM_ID), json({ data: {} })],
    ['POST', e.collection, json({ data: {} })],
  ];
  return targets.flatMap(([method, path, body]) =>
    types.map((type): HostileRequest => ({
      name: `${method} ${path} as ${type ?? 'no content type'}`,
      method,
      path,
      headers: type === undefined ? undefined : { 'content-type': type },
      body,
      expect: [415],
    })),
  );
}

/** Paths that try to leave the API, or to reach a resource by a spelling the router should not know. */
export function pathTraversal(e: Endpoints): HostileRequest[] {
  const secrets = ['"devDependencies"', 'root:x:0:0', '"compilerOptions"', 'PRIVATE KEY'];
  const paths = [
    '/../package.json',
    '/../../../../etc/passwd',
    '/%2e%2e/%2e%2e/%2e%2e/etc/passwd',
    '/%2E%2E%2F%2E%2E%2Fpackage.json',
    '/..%2f..%2f..%2fetc%2fpasswd',
    '/..%252f..%252fpackage.json',
    '/..\\..\\package.json',
    '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
    `${e.rel('..%2f..%2fpackage.json')}`,
    `${e.rel('../../package.json')}`,
    `${e.rel('%2e%2e%2f%2e%2e%2ftsconfig.json')}`,
    `${e.rel('..%5c..%5cpackage.json')}`,
    `${e.rel('item%00.md')}`,
    `${e.collection}/../../package.json`,
    `${e.collection}/..%2f..%2fpackage.json`,
    `${e.collection}%2ftransactions`,
    `${e.collection}/%2e%2e`,
    '//etc/passwd',
    '/spec/../package.json',
    '/openapi/../package.json',
    '/node_modules/koa/package.json',
    '/dist/lib/index.js',
    '/.git/config',
    '/.env',
  ];
  return paths.map((path) => ({ name: `path ${path}`, method: 'GET', path, mustNotContain: secrets }));
}

export function oddMethods(e: Endpoints): HostileRequest[] {
  const requests: HostileRequest[] = [];
  const targets = [e.root, e.collection, e.transactions, e.item(e.existingItemId), e.item(UNUSED_ITEM_ID), e.rel('item')];
  for (const path of targets) {
    for (const method of ['PATCH', 'TRACE', 'PROPFIND', 'MKCOL', 'LOCK', 'PURGE', 'OPTIONS', 'HEAD']) {
      const body = method === 'PATCH' ? Buffer.from('{"data": not json') : undefined;
      requests.push({ name: `${method} ${path}`, method, path, headers: body ? JSON_TYPE : undefined, body });
    }
  }
  requests.push(
    { name: 'DELETE the collection', method: 'DELETE', path: e.collection },
    { name: 'DELETE the log', method: 'DELETE', path: e.transactions },
    { name: 'POST to the log', method: 'POST', path: e.transactions, headers: JSON_TYPE, body: json({ entries: [entry({ fingerprint: 'f'.repeat(40) })] }) },
    { name: 'PUT on the root', method: 'PUT', path: e.root, headers: JSON_TYPE, body: json({ data: {} }) },
    { name: 'PUT on the collection', method: 'PUT', path: e.collection, headers: JSON_TYPE, body: json({ data: {} }) },
    { name: 'POST an item URI', method: 'POST', path: e.item(UNUSED_ITEM_ID), headers: JSON_TYPE, body: json({ data: {} }) },
    { name: 'GET an unknown collection', method: 'GET', path: '/no-such-collection', expect: [404] },
    { name: 'GET the log of an unknown collection', method: 'GET', path: '/no-such-collection/transactions', expect: [404] },
    {
      name: 'PUT an item into an unknown collection',
      method: 'PUT',
      path: `/no-such-collection/${UNUSED_ITEM_ID}`,
      headers: JSON_TYPE,
      body: json({ data: {} }),
      expect: [404],
    },
  );
  return requests;
}

export function oddHeaders(e: Endpoints): HostileRequest[] {
  const item = e.item(e.existingItemId);
  const fresh = e.item(UNUSED_ITEM_ID);
  const put = (name: string, path: string, headers: Record<string, string | string[]>, expect?: number[]): HostileRequest => ({
    name,
    method: 'PUT',
    path,
    headers: { ...JSON_TYPE, ...headers },
    body: json({ data: { hostile: name } }),
    expect,
  });
  const del = (name: string, path: string, headers: Record<string, string>, expect?: number[]): HostileRequest => ({
    name,
    method: 'DELETE',
    path,
    headers,
    expect,
  });
  return [
    put('If-Match garbage', item, { 'if-match': 'garbage' }, [412, 400]),
    put('If-Match unterminated quote', item, { 'if-match': '"abc' }, [412, 400]),
    put('If-Match weak tag', item, { 'if-match': 'W/"0000000000000000000000000000000000000000"' }, [412, 400]),
    put('If-Match a list of wrong tags', item, { 'if-match': '"a", "b", "c"' }, [412]),
    put('If-Match 8 KB of garbage', item, { 'if-match': '"x",'.repeat(2000) + 'garbage' }, [412, 400]),
    put('If-Match * on an item that does not exist', fresh, { 'if-match': '*' }, [412]),
    put('If-Match twice, both wrong', item, { 'if-match': ['"a"', '"b"'] }, [412, 400]),
    del('DELETE with If-Match garbage', item, { 'if-match': 'garbage' }, [412, 400]),
    del('DELETE with a stale If-Match', item, { 'if-match': '"0000000000000000000000000000000000000000"' }, [412]),
    { name: 'GET with If-None-Match garbage', method: 'GET', path: item, headers: { 'if-none-match': '"unterminated' } },
    {
      name: 'GET with 1000 headers',
      method: 'GET',
      path: e.collection,
      headers: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`x-h${i}`, 'v'])),
      refusedByNode: true,
    },
    { name: 'GET with a 12 KB header', method: 'GET', path: e.collection, headers: { 'x-big': 'b'.repeat(12_000) } },
    { name: 'GET with a 64 KB header', method: 'GET', path: e.collection, headers: { 'x-big': 'b'.repeat(64_000) }, refusedByNode: true },
    {
      name: 'PUT with a 64 KB If-Match',
      method: 'PUT',
      path: item,
      headers: { ...JSON_TYPE, 'if-match': `"${'0'.repeat(64_000)}"` },
      body: json({ data: {} }),
      refusedByNode: true,
    },
    { name: 'Accept application/xml', method: 'GET', path: e.collection, headers: { accept: 'application/xml' } },
    { name: 'Accept garbage', method: 'GET', path: e.root, headers: { accept: ';;;,,,/' } },
    {
      name: 'X-Forwarded-Host without a trusted proxy',
      method: 'GET',
      path: e.root,
      headers: { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'gopher' },
      mustNotContain: ['evil.example', 'gopher:'],
    },
    { name: 'Host with a path', method: 'GET', path: e.root, headers: { host: 'evil.example/x?y' } },
    {
      name: 'Prefer respond-async on a bad sync log',
      method: 'PUT',
      path: e.transactions,
      headers: { ...JSON_TYPE, prefer: 'respond-async' },
      body: json({ entries: [entry({ fingerprint: 'f'.repeat(40) })] }),
    },
    {
      name: 'Prefer garbage on a bad sync log',
      method: 'PUT',
      path: e.transactions,
      headers: { ...JSON_TYPE, prefer: 'respond-async; wait=-1, ,,;' },
      body: json({ entries: 'x' }),
    },
    // The bodies below are invalid even when decoded: a lenient server may decode them, none may write.
    {
      name: 'Content-Type json with utf-16 charset',
      method: 'PUT',
      path: fresh,
      headers: { 'content-type': 'application/json; charset=utf-16' },
      body: Buffer.from('{"data":{},"x":1}', 'utf16le'),
    },
    {
      name: 'Content-Type json with an unknown charset',
      method: 'PUT',
      path: fresh,
      headers: { 'content-type': 'application/json; charset=klingon' },
      body: Buffer.from('{"data":{},"x":1}'),
    },
    {
      name: 'Content-Encoding gzip that is not gzip',
      method: 'PUT',
      path: fresh,
      headers: { ...JSON_TYPE, 'content-encoding': 'gzip' },
      body: Buffer.from('{"data":{},"x":1}'),
    },
    {
      name: 'Content-Encoding unknown',
      method: 'PUT',
      path: fresh,
      headers: { ...JSON_TYPE, 'content-encoding': 'br2' },
      body: Buffer.from('{"data":{},"x":1}'),
    },
    { name: 'Authorization garbage where none is needed', method: 'GET', path: e.root, headers: { authorization: 'Bearer \u00ff\u00fe' } },
  ];
}

/** Requests that need credentials, without them or with wrong ones: 401 each (for a node started with a token). */
export function badCredentials(e: Endpoints, token: string): HostileRequest[] {
  const credentials: Array<[string, Record<string, string>]> = [
    ['none', {}],
    ['a wrong token', { authorization: 'Bearer wrong-token' }],
    ['the token with a prefix', { authorization: `Bearer x${token}` }],
    ['the token cut short', { authorization: `Bearer ${token.slice(0, -1)}` }],
    ['the token as Basic', { authorization: `Basic ${Buffer.from(`user:${token}`).toString('base64')}` }],
    ['an empty Bearer', { authorization: 'Bearer ' }],
    ['the token in the query only', {}],
  ];
  const targets: Array<[string, string, Buffer | undefined]> = [
    ['GET', e.collection, undefined],
    ['GET', e.transactions, undefined],
    ['GET', e.item(e.existingItemId), undefined],
    ['PUT', e.item(UNUSED_ITEM_ID), json({ data: {} })],
    ['POST', e.collection, json({ data: {} })],
    ['DELETE', e.item(e.existingItemId), undefined],
    ['PUT', e.transactions, json({ entries: [entry()] })],
  ];
  return targets.flatMap(([method, path, body]) =>
    credentials.map(([what, headers]) => ({
      name: `${method} ${path} with ${what}`,
      method,
      path: what === 'the token in the query only' ? `${path}${path.includes('?') ? '&' : '?'}token=${token}` : path,
      headers: { ...(body ? JSON_TYPE : {}), ...headers },
      body,
      expect: [401],
    })),
  );
}

/** Every fixed hostile request above (credentials aside). */
export function hostileRequests(e: Endpoints): HostileRequest[] {
  return [
    ...badJson(e),
    ...wrongTypes(e),
    ...unknownFields(e),
    ...deepNesting(e),
    ...hugeInputs(e),
    ...badQueries(e),
    ...badItemIds(e),
    ...wrongContentTypes(e),
    ...pathTraversal(e),
    ...oddMethods(e),
    ...oddHeaders(e),
  ];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Generated hostile requests: random bytes and JSON as sync logs and item writes, random
 * itemIds, random log queries, random If-Match values. Every one is invalid or a read, so none
 * may write.
 */
export function hostileRequestArbitrary(e: Endpoints): fc.Arbitrary<HostileRequest> {
  const randomBytes = fc.uint8Array({ maxLength: 2000 }).map((bytes): HostileRequest => ({
    name: `random bytes (${bytes.length}) as a sync log`,
    method: 'PUT',
    path: e.transactions,
    headers: JSON_TYPE,
    body: Buffer.from(bytes),
  }));
  const randomJsonLog = fc.jsonValue({ maxDepth: 6 }).map((value): HostileRequest => ({
    name: `random JSON as a sync log: ${JSON.stringify(value).slice(0, 80)}`,
    method: 'PUT',
    path: e.transactions,
    headers: JSON_TYPE,
    body: json(value),
  }));
  // Valid entries but one field replaced by any JSON value: the schema or the fingerprint check must refuse it.
  const field = fc.constantFrom('itemId', 'updatedAt', 'fingerprint', 'deleted', 'base', 'data');
  const mangledEntry = fc
    .tuple(field, fc.jsonValue({ maxDepth: 3 }))
    // Values the field may validly hold are not hostile: `base: null`, `deleted: false` would make a valid entry.
    .filter(([name, value]) => !(name === 'base' && value === null) && !(name === 'deleted' && value === false))
    .map(([name, value]): HostileRequest => {
      const bad = entry({ [name]: value, ...(name === 'data' ? { fingerprint: '0'.repeat(40) } : {}) });
      return {
        name: `sync log with ${name} = ${JSON.stringify(value).slice(0, 60)}`,
        method: 'PUT',
        path: e.transactions,
        headers: JSON_TYPE,
        body: logWith(bad),
      };
    });
  const itemId = fc.string({ unit: 'binary', minLength: 1, maxLength: 60 }).filter((s) => !UUID.test(s) && s !== '.' && s !== '..' && s !== 'transactions');
  const randomItemId = fc.tuple(itemId, fc.constantFrom('GET', 'PUT', 'DELETE')).map(([id, method]): HostileRequest => ({
    name: `itemId ${JSON.stringify(id)} (${method})`,
    method,
    path: e.item(encodeURIComponent(id)),
    headers: method === 'PUT' ? JSON_TYPE : undefined,
    body: method === 'PUT' ? json({ data: {} }) : undefined,
    expect: [400],
  }));
  const queryValue = fc.oneof(fc.string({ unit: 'binary', maxLength: 80 }), fc.integer().map(String), fc.double().map(String));
  const randomQuery = fc
    .tuple(fc.subarray(['cursor', 'earliest', 'limit', 'embed'], { minLength: 1 }), fc.array(queryValue, { minLength: 4, maxLength: 4 }))
    .map(([names, values]): HostileRequest => {
      const query = names.map((n, i) => `${n}=${encodeURIComponent(values[i]!)}`).join('&');
      return { name: `log query ${query.slice(0, 80)}`, method: 'GET', path: `${e.transactions}?${query}` };
    });
  // Any printable If-Match but `*` (which matches any existing item) or an empty list (which some read as no header).
  const headerValue = fc
    .string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 200 })
    .filter((v) => !v.includes('*') && v.replace(/[\s,]/g, '') !== '');
  const randomIfMatch = fc.tuple(headerValue, fc.constantFrom('PUT', 'DELETE')).map(([value, method]): HostileRequest => ({
    name: `${method} with If-Match ${JSON.stringify(value)}`,
    method,
    path: e.item(e.existingItemId),
    headers: method === 'PUT' ? { ...JSON_TYPE, 'if-match': value } : { 'if-match': value },
    body: method === 'PUT' ? json({ data: { hostile: value } }) : undefined,
  }));
  return fc.oneof(randomBytes, randomJsonLog, mangledEntry, randomItemId, randomQuery, randomIfMatch);
}
