import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Context, Next } from 'koa';
import { GZIP_LEVEL, ZLIB_CHUNK } from '../../protocol/compression.js';
import { ACCEPTED_CODINGS } from './body.js';

const gzipAsync = promisify(gzip);

/**
 * Below this many bytes a body goes out as it is: gzip's header and the time spent buy nothing
 * on a small HAL document (root, collection, an empty log page).
 */
export const COMPRESS_THRESHOLD = 1024;

/**
 * Advertises the request codings this node reads, and gzips JSON and text bodies, at GZIP_LEVEL,
 * for clients that send `Accept-Encoding: gzip` (RFC 9110 §12.5.3; got and browsers do). zlib
 * runs on libuv's thread pool, so compressing one page overlaps with rendering the next request's.
 */
export async function compress(ctx: Context, next: Next): Promise<void> {
  await next();
  ctx.vary('Accept-Encoding');
  // RFC 7694 §3: the codings request bodies may carry, so a client can gzip its sync logs (and a 415 says what to send).
  ctx.set('Accept-Encoding', ACCEPTED_CODINGS);
  const body: unknown = ctx.body;
  if (body === null || body === undefined || ctx.method === 'HEAD' || ctx.response.get('Content-Encoding')) return;
  if (typeof body !== 'string' && (typeof body !== 'object' || Buffer.isBuffer(body) || typeof (body as { pipe?: unknown }).pipe === 'function')) return;
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  if (Buffer.byteLength(text) < COMPRESS_THRESHOLD || ctx.acceptsEncodings('gzip', 'identity') !== 'gzip') {
    // The text goes out as it is: left an object, Koa would serialize it a second time.
    if (typeof body !== 'string') ctx.body = text;
    return;
  }
  const type = ctx.response.get('Content-Type');
  ctx.body = await gzipAsync(text, { level: GZIP_LEVEL, chunkSize: ZLIB_CHUNK });
  // Setting a Buffer body makes Koa guess application/octet-stream: keep the type the route chose.
  if (type) ctx.type = type;
  ctx.set('Content-Encoding', 'gzip');
}
