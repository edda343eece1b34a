import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { Context } from 'koa';
import type Koa from 'koa';
import { ZLIB_CHUNK } from '../../protocol/compression.js';
import { BadRequest, PayloadTooLarge, ServiceUnavailable, UnsupportedMediaType, ValidationFailed } from '../../protocol/problems.js';
import { findJsonFlaw, MAX_DEPTH } from '../../protocol/json.js';
import { closeAfterAnswer } from './framing.js';
import type { Json } from '../../protocol/types.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
/** The bytes of request bodies all requests of one app may hold at once (default: ten bodies at the default limit). */
export const DEFAULT_MAX_IN_FLIGHT_BODY_BYTES = 10 * DEFAULT_BODY_LIMIT;

/**
 * The bytes of request bodies held by the requests of one app: each request reserves what it
 * declares (Content-Length) before reading, and what it receives beyond that as it arrives,
 * and gives it all back when its response ends. A request that would pass the total is a 503
 * before more of it is read, so many large uploads at once cannot grow the node without bound.
 */
export class BodyBudget {
  private used = 0;
  constructor(readonly total: number) {}

  /** A request's share: `ensure(n)` holds at least n bytes for it, or answers false. */
  share(ctx: Context): (bytes: number) => boolean {
    let held = 0;
    ctx.res.once('close', () => {
      this.used -= held;
      held = 0;
    });
    return (bytes) => {
      if (bytes <= held) return true;
      if (this.used + bytes - held > this.total) return false;
      this.used += bytes - held;
      held = bytes;
      return true;
    };
  }
}

const budgets = new WeakMap<Koa, BodyBudget>();

export function setBodyBudget(app: Koa, budget: BodyBudget): void {
  budgets.set(app, budget);
}

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
  const budget = budgets.get(ctx.app);
  const ensure = budget ? budget.share(ctx) : () => true;
  if (declared && !ensure(Number(declared))) throw overloaded(ctx);
  const text = await readText(ctx, limit, ensure);
  if (text.trim() === '') throw new BadRequest('the request body is empty; a JSON document is required', undefined, 'malformed-json');
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw new BadRequest(`the request body is not valid JSON: ${(err as Error).message}`, undefined, 'malformed-json');
  }
  const flaw = findJsonFlaw(value, MAX_DEPTH);
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

/** Holds at least this many body bytes for the request, or answers false (see BodyBudget). */
type Ensure = (bytes: number) => boolean;

async function readText(ctx: Context, limit: number, ensure: Ensure): Promise<string> {
  const coding = contentCoding(ctx.get('Content-Encoding'));
  const bytes = coding === 'gzip' ? await readGzip(ctx, limit, ensure) : await readChunks(ctx, ctx.req, limit, ensure);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequest('the request body is not valid UTF-8', undefined, 'malformed-json');
  }
}

async function readChunks(ctx: Context, source: AsyncIterable<Buffer>, limit: number, ensure: Ensure): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    size += chunk.length;
    if (size > limit) throw tooLarge(ctx, limit);
    if (!ensure(size)) throw overloaded(ctx);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Inflates as it reads, counting what comes out: the limit holds for the body the JSON parser
 * would see, and reading stops at the first chunk over it. Piped rather than `pipeline`d:
 * stopping must not destroy the request, whose socket still carries the 413.
 */
async function readGzip(ctx: Context, limit: number, ensure: Ensure): Promise<Buffer> {
  const req: Readable = ctx.req;
  const gunzip = createGunzip({ chunkSize: ZLIB_CHUNK });
  const forward = (error: Error) => gunzip.destroy(error);
  req.once('error', forward);
  req.pipe(gunzip);
  try {
    return await readChunks(ctx, gunzip, limit, ensure);
  } catch (error) {
    if (error instanceof PayloadTooLarge || error instanceof ServiceUnavailable || !isZlibError(error)) throw error;
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

function overloaded(ctx: Context): ServiceUnavailable {
  // As for a 413: the rest of the body stays unread, so the connection cannot carry another request.
  closeAfterAnswer(ctx);
  return new ServiceUnavailable('overloaded', 'the node holds as many request bodies as it may at once; retry after Retry-After seconds', 1);
}

function tooLarge(ctx: Context, limit: number): PayloadTooLarge {
  // The rest of the body stays unread: closing the connection spares Node draining it for keep-alive.
  closeAfterAnswer(ctx);
  return new PayloadTooLarge(`the request body is larger than ${limit} bytes`);
}
