import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake node on loopback that says whatever a test scripts: a root, one collection `items`,
 * log pages and items. It answers as a node would on the wire (HAL, links found by rel), so the
 * client follows it like any other; what it lists is up to the test. Every request is counted.
 */
export interface LyingNode {
  url: string;
  requests: string[];
  /** PUTs of sync logs the client sent (it must send none to a node that lied in Step 1). */
  puts: unknown[];
  close(): Promise<void>;
}

export interface Script {
  /** The log page at a query (`cursor` absent: the first); its body is sent as it is (text allowed, for lone surrogates). */
  page(cursor: string | null, url: URL): Record<string, unknown> | string;
  /** An item document by id, or undefined for 404. */
  item?(itemId: string): Record<string, unknown> | string | undefined;
}

export async function lyingNode(script: Script): Promise<LyingNode> {
  const node: LyingNode = { url: '', requests: [], puts: [], close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', node.url);
    node.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/hal+json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (url.pathname === '/') return send(200, { _links: { self: { href: '/' }, 'sync:collection': [{ href: '/items', name: 'items', title: 'items' }] } });
      if (url.pathname === '/items')
        return send(200, {
          _links: { self: { href: '/items' }, 'sync:transactions': { href: '/items/transactions{?earliest,cursor,limit,embed}', templated: true } },
        });
      if (url.pathname === '/items/transactions' && req.method === 'GET') return send(200, script.page(url.searchParams.get('cursor'), url));
      if (url.pathname === '/items/transactions' && req.method === 'PUT') {
        node.puts.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        return send(200, { applied: 0, checkpoint: 'AAAA' });
      }
      const item = url.pathname.startsWith('/items/') ? script.item?.(decodeURIComponent(url.pathname.slice('/items/'.length))) : undefined;
      if (item !== undefined) return send(200, item);
      send(404, { type: 'not-found', title: 'Not found', status: 404, detail: url.pathname });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  node.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return node;
}

/** A log page as a node renders it. */
export function logPage(entries: Array<Record<string, unknown>>, checkpoint: string, next?: string): Record<string, unknown> {
  return {
    checkpoint,
    count: entries.length,
    _links: { self: { href: '/items/transactions' }, ...(next ? { next: { href: next } } : {}) },
    _embedded: {
      'sync:entry': entries.map((e) => ({ itemURI: `/items/${String(e.itemId)}`, ...e, _links: { 'sync:item': { href: `/items/${String(e.itemId)}` } } })),
    },
  };
}
