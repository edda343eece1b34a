import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { brotliDecompress, createGzip, gzip, inflate, inflateRaw, unzip, type ZlibOptions } from 'node:zlib';
import got, { CancelError, type Got, RequestError } from 'got';
import { GZIP_LEVEL, ZLIB_CHUNK } from '../protocol/compression.js';
import { ResponseTooLarge, TransportFailed, Unreachable } from './errors.js';
import type { GzipStream, TrafficStats, Transport, TransportOptions, TransportRequest, TransportResponse } from './transport.js';

/**
 * The Node transport, over `got` and keep-alive agents. The only module of lib/client that
 * knows `got` or any Node built-in: a browser bundle leaves it out (see transport-default.ts).
 * Bytes are counted on the sockets, so a compressed body counts as it went over the wire.
 */

const gzipAsync = promisify(gzip);
const inflateAsync = promisify(inflate);
const inflateRawAsync = promisify(inflateRaw);
const unzipAsync = promisify(unzip);
/** The codings it asks for and decodes (RFC 9110 §8.4.1), each a one-shot zlib call. */
const DECODERS: Record<string, (body: Buffer, options: ZlibOptions) => Promise<Buffer>> = {
  gzip: unzipAsync,
  'x-gzip': unzipAsync,
  // "deflate" is the zlib format (RFC 1950), but some servers send raw deflate: the first byte tells.
  deflate: (body, options) => ((body[0]! & 0x0f) === 0x08 ? inflateAsync : inflateRawAsync)(body, options),
  br: promisify(brotliDecompress),
};
const ACCEPT_ENCODING = Object.keys(DECODERS)
  .filter((coding) => coding !== 'x-gzip')
  .join(', ');
const UPLOAD_GZIP = { level: GZIP_LEVEL, chunkSize: ZLIB_CHUNK };
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
      // Bodies are decoded below in one zlib call each: got's stream inflates in 16 KiB pieces, each a callback and a copy.
      decompress: false,
      headers: { 'accept-encoding': ACCEPT_ENCODING },
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
      // got reports the coded bytes as they arrive: abort as soon as they alone pass the cap.
      promise.on('downloadProgress', ({ transferred }) => {
        if (transferred > request.maxResponseBytes && !tooLarge) {
          tooLarge = true;
          promise.cancel();
        }
      });
      const response = await promise;
      const body = await decode(request, response.headers['content-encoding'], response.rawBody);
      return { url: response.url, status: response.statusCode, headers: response.headers, body };
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

/**
 * The body as sent before its coding: at most maxResponseBytes of it (zlib stops there), and a
 * body that does not decode as it says is TransportFailed. A coding it does not know is left as
 * it came, as got left it; an empty body (a HEAD answer, a 204) has nothing to decode.
 */
async function decode(request: TransportRequest, coding: string | undefined, body: Buffer | undefined): Promise<Uint8Array> {
  if (!body?.length) return new Uint8Array(0);
  const decoder = coding && DECODERS[coding.trim().toLowerCase()];
  if (!decoder) return body;
  try {
    return await decoder(body, { chunkSize: ZLIB_CHUNK, maxOutputLength: request.maxResponseBytes });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new ResponseTooLarge(request.url, request.maxResponseBytes);
    throw new TransportFailed(
      request.url,
      (error as { code?: string }).code ?? 'decoding',
      `a ${coding} body that does not decode: ${(error as Error).message}`,
      error,
    );
  }
}
