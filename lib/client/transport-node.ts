import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ResponseTooLarge, TransportFailed, Unreachable } from './errors.js';
import { gzipInParts, gzipUpload, NodeSockets, UNREACHABLE_CODES, ZLIB_CHUNK } from './node-sockets.js';
import type { GzipStream, TrafficStats, Transport, TransportOptions, TransportRequest, TransportResponse } from './transport.js';

/**
 * The Node transport: Node's own `http`/`https` clients over keep-alive agents, which is all a
 * sync asks of HTTP (the client above follows redirects, retries and checks origins itself).
 * It is the default on Node because it costs nothing to load: `got` and its two dozen packages
 * were two thirds of a `halsync sync` process's start-up (docs/performance.md); GotTransport
 * remains for embedders who want got's agent and hook options.
 * Bytes are counted on the sockets (node-sockets.ts).
 */

/** The codings this transport decodes, in the order it asks for them. */
const ACCEPT_ENCODING = 'gzip, deflate, br';

export class NodeTransport implements Transport {
  private readonly sockets: NodeSockets;
  private requests = 0;

  constructor(options: TransportOptions) {
    this.sockets = new NodeSockets(options.concurrency);
  }

  get stats(): TrafficStats {
    return { requests: this.requests, bytes: this.sockets.bytes };
  }

  gzip(body: Uint8Array): Promise<Uint8Array> {
    return gzipUpload(body);
  }

  gzipStream(): GzipStream {
    return gzipInParts();
  }

  send(request: TransportRequest): Promise<TransportResponse> {
    this.requests++;
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return Promise.reject(new TransportFailed(request.url, 'ERR_INVALID_PROTOCOL', `${url.protocol} is not HTTP`));
    if (request.signal?.aborted) return Promise.reject(abortReason(request.signal));
    return new Promise<TransportResponse>((resolve, reject) => {
      const headers: Record<string, string | number> = { 'accept-encoding': ACCEPT_ENCODING, ...request.headers };
      if (request.body) headers['content-length'] = request.body.byteLength;
      const outgoing = (secure ? https : http).request(url, {
        method: request.method,
        headers,
        agent: secure ? this.sockets.agents.https : this.sockets.agents.http,
      });
      let settled = false;
      // One way out for every failure: the first one wins, the request and its socket go.
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        request.signal?.removeEventListener('abort', onAbort);
        outgoing.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new Unreachable(request.url, 'ETIMEDOUT')), request.timeoutMs);
      const onAbort = () => fail(abortReason(request.signal!));
      request.signal?.addEventListener('abort', onAbort, { once: true });
      outgoing.on('socket', (socket: Socket) => this.sockets.track(socket));
      outgoing.on('error', (error: NodeJS.ErrnoException) => fail(stackError(request.url, error)));
      outgoing.on('response', (incoming) => {
        // A HEAD answer, a 204 or a 304 has no body to decode, whatever its Content-Encoding says.
        const bodiless = request.method === 'HEAD' || incoming.statusCode === 204 || incoming.statusCode === 304;
        const body = bodiless ? incoming : decoded(incoming);
        if (!body) return fail(new TransportFailed(request.url, 'ERR_CONTENT_ENCODING', `unknown content-encoding ${incoming.headers['content-encoding']}`));
        const chunks: Buffer[] = [];
        let length = 0;
        body.on('data', (chunk: Buffer) => {
          length += chunk.length;
          // Counted after decoding: past the cap, stop reading at once rather than buffer on.
          if (length > request.maxResponseBytes) return fail(new ResponseTooLarge(request.url, request.maxResponseBytes));
          chunks.push(chunk);
        });
        body.on('error', (error: NodeJS.ErrnoException) => fail(stackError(request.url, error)));
        // The connection went before the body's end (a node that died mid-answer).
        if (body !== incoming) incoming.on('error', (error: NodeJS.ErrnoException) => fail(stackError(request.url, error)));
        incoming.on('aborted', () => fail(new Unreachable(request.url, 'ECONNRESET')));
        body.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
          resolve({
            url: request.url,
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length),
          });
        });
      });
      outgoing.end(request.body);
    });
  }

  close(): void {
    this.sockets.close();
  }
}

/** The body as its content-coding decodes it (RFC 9110 §8.4), or null for a coding it does not know. */
function decoded(incoming: http.IncomingMessage): Readable | null {
  const coding = (incoming.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  switch (coding) {
    case 'identity':
    case '':
      return incoming;
    case 'gzip':
    case 'x-gzip':
      return incoming.pipe(createGunzip({ chunkSize: ZLIB_CHUNK }));
    case 'deflate':
      return incoming.pipe(createInflate({ chunkSize: ZLIB_CHUNK }));
    case 'br':
      return incoming.pipe(createBrotliDecompress({ chunkSize: ZLIB_CHUNK }));
    default:
      return null;
  }
}

/** A Node error as the transport's: unreachable for what says the host is not there, failed for the rest. */
function stackError(url: string, error: NodeJS.ErrnoException): Error {
  if (error instanceof ResponseTooLarge || error instanceof Unreachable || error instanceof TransportFailed) return error;
  const code = error.code ?? 'unknown';
  return UNREACHABLE_CODES.has(code) ? new Unreachable(url, code) : new TransportFailed(url, code, error.message, error);
}

/** What an aborted request rejects with: the signal's reason, as fetch does (an AbortError by default). */
function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
