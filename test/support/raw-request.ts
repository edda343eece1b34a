import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** A request as it goes on the wire: the path is sent exactly as given, never normalized. */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer;
}

export interface RawReply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What became of a raw request: a reply, or why there was none (`timeout` when it hung). */
export type RawOutcome = { reply: RawReply; error?: undefined } | { reply?: undefined; error: string };

/**
 * Sends one request on its own connection and never rejects. A server that answers before it
 * has read the whole body (413) and closes may make the upload fail: the answer still counts.
 */
export function sendRaw(origin: string, raw: RawRequest, timeoutMs: number): Promise<RawOutcome> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (outcome: RawOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const headers: Record<string, string | string[]> = { ...raw.headers };
    if (raw.body) headers['content-length'] = String(raw.body.length);
    let req: ReturnType<typeof request>;
    try {
      req = request({ host: hostname, port, method: raw.method, path: raw.path, headers, agent: false, setHost: !('host' in headers) });
    } catch (err) {
      settle({ error: `not sendable: ${(err as Error).message}` });
      return;
    }
    const timer = setTimeout(() => {
      settle({ error: 'timeout' });
      req.destroy();
    }, timeoutMs);
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      const done = () => settle({ reply: { status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) } });
      res.on('end', done);
      res.on('close', done);
      res.on('error', done);
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      // An upload cut short by an early answer: wait for that answer.
      if (answered) return;
      setTimeout(() => settle({ error: err.code ?? err.message }), 200);
    });
    req.end(raw.body);
  });
}

/** Writes bytes on a fresh connection and returns all the server sent until it closed (bounded by `timeoutMs`). */
export function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(bytes);
  });
}

/**
 * A client that goes away mid-body: sends `head` (a request with a Content-Length, asking
 * `Expect: 100-continue`), waits for the 100 Continue that proves the server took up the
 * request, sends `partial` of the body and hangs up. Resolves once the socket is closed.
 */
export function hangUpMidBody(url: string, head: string, partial: string, timeoutMs = 5000): Promise<void> {
  const { hostname, port } = new URL(url);
  const request = head.replace(/\r\n\r\n$/, '\r\nExpect: 100-continue\r\n\r\n');
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no 100 Continue within ${timeoutMs} ms; got: ${got.slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      got += chunk.toString('latin1');
      if (!/^HTTP\/1\.1 100 /.test(got)) return;
      socket.write(partial, () => socket.destroy());
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      if (/^HTTP\/1\.1 100 /.test(got)) resolve();
      else reject(new Error(`closed before a 100 Continue; got: ${got.slice(0, 200)}`));
    });
    socket.write(request);
  });
}
