import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Context } from 'koa';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../../protocol/problems.js';
import { pointerToken } from '../../protocol/pointer.js';
import type { Json } from '../../protocol/types.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
export const MAX_DEPTH = 64;

// application/json, application/hal+json, and any other +json structured syntax suffix.
const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)$/i;

/** The content codings a request body may carry (RFC 9110 §8.4); advertised as `Accept-Encoding`. */
export const ACCEPTED_CODINGS = 'gzip';

/**
 * Reads a request body as JSON, plain or gzipped. The size is checked against Content-Length
 * before reading and again while reading, so a lying or absent length cannot make the server
 * buffer more; a gzipped body is held to the same limit once inflated, so a small bomb is a 413.
 */
export async function readJson(ctx: Context, limit: number): Promise<Json> {
  checkContentType(ctx.get('Content-Type'));
  const declared = ctx.get('Content-Length');
  if (declared && Number(declared) > limit) throw tooLarge(ctx, limit);
  const text = await readText(ctx, limit);
  if (text.trim() === '') throw new BadRequest('the request body is empty; a JSON document is required', undefined, 'malformed-json');
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw new BadRequest(`the request body is not valid JSON: ${(err as Error).message}`, undefined, 'malformed-json');
  }
  const flaw = findFlaw(value, MAX_DEPTH);
  if (flaw) throw new ValidationFailed(flaw.summary, [{ pointer: flaw.pointer, detail: flaw.detail }]);
  return value;
}

function checkContentType(header: string): void {
  // No Content-Type at all is read as JSON: some generated clients (swagger-typescript-api with a
  // $ref'd requestBody) send none. A body that then is not JSON is a 400, a wrong type still a 415.
  if (header.trim() === '') return;
  const [mediaType = '', ...params] = header.split(';').map((part) => part.trim());
  if (!JSON_TYPE.test(mediaType)) {
    throw new UnsupportedMediaType(`send the body as application/json, not ${mediaType || header}`);
  }
  const charset = params.map((p) => /^charset\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1]).find((c) => c !== undefined);
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaType(`JSON bodies are UTF-8, not ${charset}`);
  }
}

/**
 * `gzip` or `identity`, from Content-Encoding (a list, applied in order; `identity` is no coding).
 * Anything else is a 415, answered with `Accept-Encoding` as RFC 7694 §3 asks (set on every response).
 */
function contentCoding(header: string): 'gzip' | 'identity' {
  const codings = header
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
  if (codings.length === 0) return 'identity';
  // RFC 9110 §8.4.1.3: x-gzip is gzip.
  if (codings.length === 1 && (codings[0] === 'gzip' || codings[0] === 'x-gzip')) return 'gzip';
  throw new UnsupportedMediaType(`the body's content coding ${header} is not supported; send it as gzip or identity`);
}

async function readText(ctx: Context, limit: number): Promise<string> {
  const coding = contentCoding(ctx.get('Content-Encoding'));
  const bytes = coding === 'gzip' ? await readGzip(ctx, limit) : await readChunks(ctx, ctx.req, limit);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequest('the request body is not valid UTF-8', undefined, 'malformed-json');
  }
}

async function readChunks(ctx: Context, source: AsyncIterable<Buffer>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw tooLarge(ctx, limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Inflates as it reads, counting what comes out: the limit holds for the body the JSON parser
 * would see, and reading stops at the first chunk over it. Piped rather than `pipeline`d:
 * stopping must not destroy the request, whose socket still carries the 413.
 */
async function readGzip(ctx: Context, limit: number): Promise<Buffer> {
  const req: Readable = ctx.req;
  const gunzip = createGunzip();
  const forward = (error: Error) => gunzip.destroy(error);
  req.once('error', forward);
  req.pipe(gunzip);
  try {
    return await readChunks(ctx, gunzip, limit);
  } catch (error) {
    if (error instanceof PayloadTooLarge || !isZlibError(error)) throw error;
    throw new BadRequest(`the gzip body is corrupt: ${error.message}`, undefined, 'malformed-json');
  } finally {
    req.off('error', forward);
    req.unpipe(gunzip);
    gunzip.destroy();
  }
}

function isZlibError(error: unknown): error is Error {
  const code = (error as { code?: unknown } | null)?.code;
  return error instanceof Error && typeof code === 'string' && code.startsWith('Z_');
}

function tooLarge(ctx: Context, limit: number): PayloadTooLarge {
  // The rest of the body stays unread: closing the connection spares Node draining it for keep-alive.
  ctx.set('Connection', 'close');
  return new PayloadTooLarge(`the request body is larger than ${limit} bytes`);
}

interface Flaw {
  pointer: string;
  detail: string;
  summary: string;
}

/**
 * What JSON.parse accepts but no JSON value can be: nesting past the limit, and numbers out of
 * range (`1e999` parses as Infinity, which has no canonical JSON and so no fingerprint).
 * Iterative, so a hostile document cannot overflow the stack.
 */
function findFlaw(value: Json, maxDepth: number): Flaw | null {
  const stack: Array<[Json, number, string]> = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, pointer] = stack.pop()!;
    if (typeof node === 'number' && !Number.isFinite(node)) {
      return { pointer, detail: 'number out of range', summary: 'a number in the body is too large to represent' };
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) {
      // The first value past the limit; RFC 6901 pointers, "" being the whole document.
      return { pointer, detail: `nested deeper than ${maxDepth} levels`, summary: `JSON nested deeper than ${maxDepth} levels` };
    }
    const entries = Array.isArray(node) ? node.map((child, i) => [String(i), child] as const) : Object.entries(node);
    for (const [key, child] of entries) stack.push([child, depth + 1, `${pointer}/${pointerToken(key)}`]);
  }
  return null;
}
