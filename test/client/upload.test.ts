import { expect } from 'chai';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { syncStore } from '../../lib/client/connect.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { startNode, type StartedNode } from '../support/server.js';
import { contents, newId, put } from '../support/sync.js';

interface Recorder {
  url: string;
  /** `METHOD path content-encoding` of every request with a body. */
  uploads: string[];
  close(): Promise<void>;
}

/**
 * A pass-through proxy that notes how each request body was coded. `hide` drops `Accept-Encoding`
 * from the answers, as a node from before gzipped uploads would; `refuse` also answers a gzipped
 * body 415 itself, as a node replaced by such an older one after it advertised gzip would.
 */
async function recorder(target: string, mode: 'pass' | 'hide' | 'refuse'): Promise<Recorder> {
  const to = new URL(target);
  const uploads: string[] = [];
  const server: Server = createServer((req, res) => {
    if (req.method === 'PUT' || req.method === 'POST') uploads.push(`${req.method} ${req.url} ${req.headers['content-encoding'] ?? 'identity'}`);
    if (mode === 'refuse' && req.headers['content-encoding']) {
      req.resume();
      res.writeHead(415, { 'content-type': 'application/problem+json' });
      res.end(JSON.stringify({ type: 'unsupported-media-type', title: 'Unsupported Media Type', status: 415, detail: 'no gzip here' }));
      mode = 'hide';
      return;
    }
    const upstream = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      const headers = { ...answer.headers };
      if (mode === 'hide') delete headers['accept-encoding'];
      res.writeHead(answer.statusCode!, headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    uploads,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

describe('client: gzipped sync-log uploads', () => {
  let node: StartedNode;
  let proxy: Recorder | undefined;
  beforeEach(async () => {
    node = await startNode();
  });
  afterEach(async () => {
    await proxy?.close();
    proxy = undefined;
    await node.close();
  });

  /** Syncs `count` local items up through a recorder in `mode`; the node ends with them all. Returns the uploads seen. */
  async function upload(mode: 'pass' | 'hide' | 'refuse', count: number): Promise<string[]> {
    proxy = await recorder(node.url, mode);
    const local = new MemoryStore();
    for (let i = 0; i < count; i++) await put(local, newId(), { text: `item ${i} `.repeat(8) });
    await syncStore(local, proxy.url);
    expect(await contents(node.store)).to.deep.equal(await contents(local));
    return proxy.uploads;
  }

  it('gzips a sync log of 1 KiB or more to a node that advertises gzip', async () => {
    expect(await upload('pass', 40)).to.deep.equal(['PUT /items/transactions gzip']);
  });

  it('sends a small sync log as it is', async () => {
    expect(await upload('pass', 1)).to.deep.equal(['PUT /items/transactions identity']);
  });

  it('sends identity to a node that does not advertise gzip', async () => {
    expect(await upload('hide', 40)).to.deep.equal(['PUT /items/transactions identity']);
  });

  it('sends the log once more as it is when a node that advertised gzip answers 415 without it', async () => {
    expect(await upload('refuse', 40)).to.deep.equal(['PUT /items/transactions gzip', 'PUT /items/transactions identity']);
  });
});
