import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { constants, createGzip, gzip } from 'node:zlib';
import got, { CancelError, type Got, RequestError } from 'got';
import { ResponseTooLarge, TransportFailed, Unreachable } from './errors.js';
import type { GzipStream, TrafficStats, Transport, TransportOptions, TransportRequest, TransportResponse } from './transport.js';

/**
 * The Node transport, over `got` and keep-alive agents. The only module of lib/client that
 * knows `got` or any Node built-in: a browser bundle leaves it out (see transport-default.ts).
 * Bytes are counted on the sockets, so a compressed body counts as it went over the wire.
 */

const gzipAsync = promisify(gzip);
/**
 * zlib's output buffer for uploads. At its default, 16 KiB, a sync log comes out in some twenty
 * pieces, each a callback, a buffer and a copy: at 256 KiB deflating one costs a sixth less CPU
 * (measured on a 536 KB page at level 1).
 */
const ZLIB_CHUNK = 256 * 1024;
/** Level 1: a sync log still shrinks about fourfold, for a fraction of the default level's CPU. */
const UPLOAD_GZIP = { level: constants.Z_BEST_SPEED, chunkSize: ZLIB_CHUNK };
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE']);

export class GotTransport implements Transport {
  private readonly got: Got;
  private readonly agents: { http: http.Agent; https: https.Agent };
  private readonly sockets = new Set<Socket>();
  private closedBytes = 0;
  private requests = 0;

  constructor(options: TransportOptions) {
    // Keep-alive: a sync makes many small requests to the same one or two hosts.
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: options.concurrency + 2 }),
      https: new https.Agent({ keepAlive: true, maxSockets: options.concurrency + 2 }),
    };
    this.got = got.extend({
      agent: this.agents,
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
    let bytes = this.closedBytes;
    for (const socket of this.sockets) bytes += socket.bytesRead + socket.bytesWritten;
    return { requests: this.requests, bytes };
  }

  async gzip(body: Uint8Array): Promise<Uint8Array> {
    return gzipAsync(body, UPLOAD_GZIP);
  }

  /** Compressed on libuv's thread pool as it is written. */
  gzipStream(): GzipStream {
    const zip = createGzip(UPLOAD_GZIP);
    const chunks: Buffer[] = [];
    let failure: Error | undefined;
    zip.on('data', (chunk: Buffer) => chunks.push(chunk));
    zip.on('error', (error: Error) => (failure ??= error));
    return {
      write(bytes) {
        zip.write(bytes);
      },
      end(last) {
        if (failure) return Promise.reject(failure);
        return new Promise((resolve, reject) => {
          zip.once('error', reject);
          zip.once('end', () => resolve(Buffer.concat(chunks)));
          zip.end(last);
        });
      },
    };
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
      promise.on('request', (outgoing) => outgoing.on('socket', (socket: Socket) => this.track(socket)));
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

  private track(socket: Socket): void {
    if (this.sockets.has(socket)) return;
    this.sockets.add(socket);
    socket.once('close', () => {
      this.closedBytes += socket.bytesRead + socket.bytesWritten;
      this.sockets.delete(socket);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
