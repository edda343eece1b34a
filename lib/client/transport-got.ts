import type { Socket } from 'node:net';
import got, { CancelError, type Got, RequestError } from 'got';
import { ResponseTooLarge, TransportFailed, Unreachable } from './errors.js';
import { gzipInParts, gzipUpload, NodeSockets, UNREACHABLE_CODES } from './node-sockets.js';
import type { GzipStream, TrafficStats, Transport, TransportOptions, TransportRequest, TransportResponse } from './transport.js';

/**
 * A Node transport over `got` and keep-alive agents, for an embedder who wants got underneath
 * (`new HttpClient({ transport: new GotTransport(…) })`); the default is NodeTransport
 * (transport-node.ts), which loads in a fraction of the time. With it, the only modules of
 * lib/client that know a Node built-in: a browser bundle leaves them out (see transport-default.ts).
 * Bytes are counted on the sockets (node-sockets.ts).
 */

export class GotTransport implements Transport {
  private readonly got: Got;
  private readonly sockets: NodeSockets;
  private requests = 0;

  constructor(options: TransportOptions) {
    this.sockets = new NodeSockets(options.concurrency);
    this.got = got.extend({
      agent: this.sockets.agents,
      throwHttpErrors: false,
      // Redirects are followed above the transport, so each hop is checked against the trusted origins.
      followRedirect: false,
      // Retrying is the sync engine's decision (it knows what is idempotent), not the transport's.
      retry: { limit: 0 },
      responseType: 'buffer',
      decompress: true,
    });
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

  async send(request: TransportRequest): Promise<TransportResponse> {
    this.requests++;
    let tooLarge = false;
    try {
      const promise = this.got(request.url, {
        method: request.method as 'GET',
        headers: request.headers,
        body: request.body && Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength),
        timeout: { request: request.timeoutMs },
        ...(request.signal ? { signal: request.signal } : {}),
      });
      promise.on('request', (outgoing) => outgoing.on('socket', (socket: Socket) => this.sockets.track(socket)));
      // got reports decompressed bytes as they arrive: abort as soon as the body passes the cap.
      promise.on('downloadProgress', ({ transferred }) => {
        if (transferred > request.maxResponseBytes && !tooLarge) {
          tooLarge = true;
          promise.cancel();
        }
      });
      const response = await promise;
      return { url: response.url, status: response.statusCode, headers: response.headers, body: response.rawBody ?? new Uint8Array(0) };
    } catch (error) {
      if (tooLarge && error instanceof CancelError) throw new ResponseTooLarge(request.url, request.maxResponseBytes);
      if (error instanceof RequestError) {
        if (request.signal?.aborted) throw request.signal.reason ?? error;
        if (error.code && UNREACHABLE_CODES.has(error.code)) throw new Unreachable(request.url, error.code);
        throw new TransportFailed(request.url, error.code ?? 'unknown', error.message, error);
      }
      throw error;
    }
  }

  close(): void {
    this.sockets.close();
  }
}
