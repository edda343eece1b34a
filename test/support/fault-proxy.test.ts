import { expect } from 'chai';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFaultProxy, type FaultProxy } from './fault-proxy.js';
import { until } from './until.js';

/** What the plain server saw of one request. */
interface Seen {
  method: string;
  url: string;
  /** Body bytes received. */
  received: number;
  /** The whole body arrived and the handler answered. */
  completed: boolean;
  remotePort: number;
}

/** A plain node:http server: echoes the body length and answers `size` bytes (query `size`). */
async function startPlainServer(): Promise<{ url: string; seen: Seen[]; connections: () => number; closed: () => number; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  let connections = 0;
  let closed = 0;
  const server: Server = createServer((req, res) => {
    const record: Seen = { method: req.method!, url: req.url!, received: 0, completed: false, remotePort: req.socket.remotePort! };
    seen.push(record);
    req.on('data', (chunk: Buffer) => (record.received += chunk.length));
    req.on('end', () => {
      record.completed = true;
      const url = new URL(req.url!, 'http://x');
      const size = Number(url.searchParams.get('size') ?? 0);
      const status = Number(url.searchParams.get('status') ?? 200);
      const body = Buffer.alloc(size, 'a');
      if (url.searchParams.has('chunked')) {
        res.writeHead(status, { 'content-type': 'text/plain' });
        for (let i = 0; i < body.length; i += 100) res.write(body.subarray(i, i + 100));
        res.end();
      } else {
        const bodyless = status === 204 || status === 304;
        res.writeHead(status, bodyless ? {} : { 'content-type': 'text/plain', 'content-length': String(body.length) });
        res.end(bodyless || req.method === 'HEAD' ? undefined : body);
      }
    });
  });
  server.on('connection', (socket) => {
    connections++;
    socket.on('close', () => closed++);
  });
  server.keepAliveTimeout = 5000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    connections: () => connections,
    closed: () => closed,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface Outcome {
  status?: number;
  /** Body bytes the client received. */
  bytes: number;
  /** The response arrived whole. */
  complete: boolean;
  error?: string;
}

/** One request through node:http; never rejects: a failure is part of the outcome. */
function send(base: string, path: string, options: { method?: string; body?: Buffer; chunkedBody?: boolean; agent?: Agent } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const outcome: Outcome = { bytes: 0, complete: false };
    const finish = (error?: Error) => {
      if (error) outcome.error = (error as NodeJS.ErrnoException).code ?? error.message;
      resolve(outcome);
    };
    const headers: Record<string, string> = {};
    if (options.body && !options.chunkedBody) headers['content-length'] = String(options.body.length);
    const req = request(
      new URL(path, base),
      { method: options.method ?? 'GET', agent: options.agent ?? false, headers, timeout: 5000 },
      (res: IncomingMessage) => {
        outcome.status = res.statusCode;
        res.on('data', (chunk: Buffer) => (outcome.bytes += chunk.length));
        res.on('end', () => {
          outcome.complete = res.complete;
          finish();
        });
        res.on('error', finish);
        res.on('aborted', () => finish(new Error('aborted')));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', finish);
    if (options.body && options.chunkedBody) {
      req.write(options.body.subarray(0, options.body.length >> 1));
      req.end(options.body.subarray(options.body.length >> 1));
    } else req.end(options.body);
  });
}

/**
 * Waits until the server's view is final (a cut reaches it asynchronously): the proxy has no
 * socket left open, and the server has seen the close of every connection the proxy made to it.
 */
function settle(server: { closed: () => number }, proxy: FaultProxy): Promise<boolean> {
  return until(() => proxy.openSockets === 0 && server.closed() === proxy.upstreamConnections, { message: 'the server saw every cut connection close' });
}

describe('fault proxy', () => {
  let server: Awaited<ReturnType<typeof startPlainServer>>;
  let proxy: FaultProxy;

  beforeEach(async () => {
    server = await startPlainServer();
    proxy = await startFaultProxy(server.url);
  });
  afterEach(async () => {
    await proxy.close();
    await server.close();
  });

  it('passes requests and responses through unchanged on one keep-alive connection', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const outcomes = [
        await send(proxy.url, '/a?size=1000', { agent }),
        await send(proxy.url, '/b?size=5000&chunked', { agent }),
        await send(proxy.url, '/c?size=10', { agent, method: 'HEAD' }),
        await send(proxy.url, '/d?status=204', { agent, method: 'DELETE' }),
        await send(proxy.url, '/e?status=304', { agent }),
        await send(proxy.url, '/f?size=3', { agent, method: 'PUT', body: Buffer.alloc(70_000, 'b') }),
        await send(proxy.url, '/g?size=3', { agent, method: 'POST', body: Buffer.alloc(3000, 'c'), chunkedBody: true }),
      ];
      expect(outcomes.map((o) => [o.status, o.bytes, o.complete, o.error])).to.deep.equal([
        [200, 1000, true, undefined],
        [200, 5000, true, undefined],
        [200, 0, true, undefined],
        [204, 0, true, undefined],
        [304, 0, true, undefined],
        [200, 3, true, undefined],
        [200, 3, true, undefined],
      ]);
      expect(server.seen.map((s) => [s.url, s.received, s.completed])).to.deep.equal([
        ['/a?size=1000', 0, true],
        ['/b?size=5000&chunked', 0, true],
        ['/c?size=10', 0, true],
        ['/d?status=204', 0, true],
        ['/e?status=304', 0, true],
        ['/f?size=3', 70_000, true],
        ['/g?size=3', 3000, true],
      ]);
      expect(server.connections(), 'one upstream connection for the whole keep-alive session').to.equal(1);
      expect(proxy.requests).to.equal(7);
      expect(proxy.faults).to.deep.equal([]);
    } finally {
      agent.destroy();
    }
  });

  it('before-request: the server never sees the request, the client gets an error', async () => {
    proxy.failNext({ at: 'before-request' });
    const outcome = await send(proxy.url, '/x?size=10', { method: 'PUT', body: Buffer.from('{"a":1}') });
    await settle(server, proxy);
    expect(typeof outcome.error).to.equal('string');
    expect(outcome.status).to.equal(undefined);
    expect(server.seen).to.deep.equal([]);
    expect(proxy.faults).to.deep.equal([{ at: 'before-request', request: 'PUT /x?size=10 HTTP/1.1' }]);
  });

  it('mid-upload: the server gets exactly afterBytes of the body and never completes it', async () => {
    proxy.failNext({ at: 'mid-upload', afterBytes: 1234 });
    const outcome = await send(proxy.url, '/x', { method: 'PUT', body: Buffer.alloc(50_000, 'z') });
    await settle(server, proxy);
    expect(typeof outcome.error).to.equal('string');
    expect(server.seen.map((s) => [s.received, s.completed])).to.deep.equal([[1234, false]]);
    expect(proxy.faults).to.deep.equal([{ at: 'mid-upload', request: 'PUT /x HTTP/1.1', bytesThrough: 1234 }]);
  });

  it('mid-upload without afterBytes cuts half-way; afterBytes past the end still leaves the body incomplete', async () => {
    proxy.failNext({ at: 'mid-upload' });
    proxy.failNext({ at: 'mid-upload', afterBytes: 10_000 });
    await send(proxy.url, '/half', { method: 'PUT', body: Buffer.alloc(1000, 'z') });
    await send(proxy.url, '/over', { method: 'PUT', body: Buffer.alloc(1000, 'z') });
    await settle(server, proxy);
    expect(server.seen.map((s) => [s.url, s.received, s.completed])).to.deep.equal([
      ['/half', 500, false],
      ['/over', 999, false],
    ]);
  });

  it('mid-upload of a request without a body: the server never gets a whole request', async () => {
    proxy.failNext({ at: 'mid-upload' });
    const outcome = await send(proxy.url, '/nobody');
    await settle(server, proxy);
    expect(typeof outcome.error).to.equal('string');
    expect(server.seen).to.deep.equal([]);
  });

  it('after-response-headers: the server completed the request, the client gets nothing of the answer', async () => {
    proxy.failNext({ at: 'after-response-headers' });
    const outcome = await send(proxy.url, '/x?size=100', { method: 'PUT', body: Buffer.from('payload') });
    await settle(server, proxy);
    expect(typeof outcome.error).to.equal('string');
    expect(outcome.status).to.equal(undefined);
    expect(server.seen.map((s) => [s.received, s.completed])).to.deep.equal([[7, true]]);
    expect(proxy.faults).to.deep.equal([{ at: 'after-response-headers', request: 'PUT /x?size=100 HTTP/1.1' }]);
  });

  it('mid-download: the client gets the status and exactly afterBytes of the body, then the connection drops', async () => {
    proxy.failNext({ at: 'mid-download', afterBytes: 4321 });
    const outcome = await send(proxy.url, '/x?size=100000');
    expect([outcome.status, outcome.bytes, outcome.complete]).to.deep.equal([200, 4321, false]);
    expect(server.seen.map((s) => s.completed)).to.deep.equal([true]);
    expect(proxy.faults).to.deep.equal([{ at: 'mid-download', request: 'GET /x?size=100000 HTTP/1.1', bytesThrough: 4321 }]);
  });

  it('mid-download of a chunked body counts its framing and still cuts it short', async () => {
    proxy.failNext({ at: 'mid-download', afterBytes: 300 });
    const outcome = await send(proxy.url, '/x?size=5000&chunked');
    expect([outcome.status, outcome.complete]).to.deep.equal([200, false]);
    expect(outcome.bytes > 0 && outcome.bytes < 300, `${outcome.bytes} bytes`).to.be.ok;
  });

  it('match picks the request a fault is for; the others on the same connection pass', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      proxy.failNext({ at: 'after-response-headers', match: (head) => head.startsWith('PUT /target') });
      const first = await send(proxy.url, '/other?size=5', { agent });
      const second = await send(proxy.url, '/target?size=5', { agent, method: 'PUT', body: Buffer.from('x') });
      const third = await send(proxy.url, '/target?size=5', { agent, method: 'PUT', body: Buffer.from('x') });
      expect([first.status, second.error !== undefined, third.status]).to.deep.equal([200, true, 200]);
      expect(server.seen.map((s) => s.completed)).to.deep.equal([true, true, true]);
      expect(proxy.faults.map((f) => f.request)).to.deep.equal(['PUT /target?size=5 HTTP/1.1']);
    } finally {
      agent.destroy();
    }
  });

  it('random faults are reproducible for a seed and follow the probability', async () => {
    async function run(seed: number, probability: number): Promise<string[]> {
      const target = await startPlainServer();
      const p = await startFaultProxy(target.url);
      try {
        p.randomFaults({ seed, probability });
        for (let i = 0; i < 30; i++) await send(p.url, `/r${i}?size=2000`, { method: 'PUT', body: Buffer.alloc(2000, 'q') });
        return p.faults.map((f) => `${f.request.split(' ')[1]} ${f.at} ${f.bytesThrough ?? ''}`);
      } finally {
        await p.close();
        await target.close();
      }
    }
    const a = await run(7, 0.5);
    const b = await run(7, 0.5);
    expect(a).to.deep.equal(b);
    expect(a.length >= 5 && a.length <= 25, `${a.length} faults`).to.be.ok;
    expect(new Set(a.map((f) => f.split(' ')[1])).size > 1, 'several fault points drawn').to.be.ok;
    expect(await run(7, 0)).to.deep.equal([]);
    expect((await run(7, 1)).length).to.equal(30);
  });

  it('clearFaults lets everything through again', async () => {
    proxy.failNext({ at: 'before-request' });
    proxy.randomFaults({ seed: 1, probability: 1 });
    proxy.clearFaults();
    const outcome = await send(proxy.url, '/x?size=3');
    expect([outcome.status, outcome.bytes, outcome.complete]).to.deep.equal([200, 3, true]);
  });

  it('closes cleanly with keep-alive connections open, and stops listening', async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      await send(proxy.url, '/x?size=3', { agent });
      const started = Date.now();
      await proxy.close();
      expect(Date.now() - started < 1000, 'close does not wait for idle connections').to.be.ok;
      const after = await send(proxy.url, '/x?size=3');
      expect(after.error).to.equal('ECONNREFUSED');
    } finally {
      agent.destroy();
    }
    proxy = await startFaultProxy(server.url); // for afterEach
  });
});
