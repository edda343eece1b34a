import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { promisify } from 'node:util';
import { constants, createGzip, gzip } from 'node:zlib';
import type { GzipStream } from './transport.js';

/**
 * What both Node transports (transport-node.ts, transport-got.ts) share: keep-alive agents, the
 * bytes counted on their sockets (so a compressed body counts as it went over the wire), the
 * upload gzip, and which socket errors mean the host is not there.
 */

export const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ECONNRESET',
  'EPIPE',
]);

const gzipAsync = promisify(gzip);

/**
 * zlib's output buffer for the client's bodies. Its default, 16 KiB, hands a log page back in
 * some thirty pieces, each a callback, a buffer and a copy: at 256 KiB inflating a page costs about
 * a third of the CPU, and deflating one a sixth less (measured on a 536 KB page at level 1).
 */
export const ZLIB_CHUNK = 256 * 1024;

/** A gzip member of an upload, at level 1: a sync log still shrinks about fourfold, for a fraction of the default level's CPU. */
export function gzipUpload(body: Uint8Array): Promise<Uint8Array> {
  return gzipAsync(body, { level: constants.Z_BEST_SPEED, chunkSize: ZLIB_CHUNK });
}

/** A gzip member written in parts (Transport.gzipStream), at the level of gzipUpload, compressed on libuv's thread pool as it is written. */
export function gzipInParts(): GzipStream {
  const zip = createGzip({ level: constants.Z_BEST_SPEED, chunkSize: ZLIB_CHUNK });
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

export class NodeSockets {
  readonly agents: { http: http.Agent; https: https.Agent };
  private readonly open = new Set<Socket>();
  private closedBytes = 0;

  constructor(concurrency: number) {
    // Keep-alive: a sync makes many small requests to the same one or two hosts.
    this.agents = {
      http: new http.Agent({ keepAlive: true, maxSockets: concurrency + 2 }),
      https: new https.Agent({ keepAlive: true, maxSockets: concurrency + 2 }),
    };
  }

  /** Bytes read and written on every socket the agents opened, closed ones included. */
  get bytes(): number {
    let bytes = this.closedBytes;
    for (const socket of this.open) bytes += socket.bytesRead + socket.bytesWritten;
    return bytes;
  }

  /** Counts a request's socket (a kept-alive one is counted once). */
  track(socket: Socket): void {
    if (this.open.has(socket)) return;
    this.open.add(socket);
    socket.once('close', () => {
      this.closedBytes += socket.bytesRead + socket.bytesWritten;
      this.open.delete(socket);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
