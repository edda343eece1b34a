import type { Context } from 'koa';
import { BadRequest, PayloadTooLarge, UnsupportedMediaType, ValidationFailed } from '../protocol/problems.js';
import type { Json } from '../protocol/types.js';

export const DEFAULT_BODY_LIMIT = 10 * 1024 * 1024;
export const MAX_DEPTH = 64;

// application/json, application/hal+json, and any other +json structured syntax suffix.
const JSON_TYPE = /^application\/(?:json|[\w.+-]+\+json)$/i;

/**
 * Reads a request body as JSON. The size is checked against Content-Length before reading
 * and again while reading, so a lying or absent length cannot make the server buffer more.
 */
export async function readJson(ctx: Context, limit: number): Promise<Json> {
  checkContentType(ctx.get('Content-Type'));
  const declared = ctx.get('Content-Length');
  if (declared && Number(declared) > limit) throw tooLarge(limit);
  const text = await readText(ctx, limit);
  if (text.trim() === '') throw new BadRequest('the request body is empty; a JSON document is required', undefined, 'malformed-json');
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch (err) {
    throw new BadRequest(`the request body is not valid JSON: ${(err as Error).message}`, undefined, 'malformed-json');
  }
  if (depthExceeds(value, MAX_DEPTH)) {
    throw new ValidationFailed(`JSON nested deeper than ${MAX_DEPTH} levels`, [{ pointer: '/', detail: `nested deeper than ${MAX_DEPTH} levels` }]);
  }
  return value;
}

function checkContentType(header: string): void {
  const [mediaType = '', ...params] = header.split(';').map((part) => part.trim());
  if (!JSON_TYPE.test(mediaType)) {
    throw new UnsupportedMediaType(`send the body as application/json${header ? `, not ${mediaType || header}` : ''}`);
  }
  const charset = params.map((p) => /^charset\s*=\s*"?([^"]*)"?$/i.exec(p)?.[1]).find((c) => c !== undefined);
  if (charset !== undefined && !/^utf-?8$/i.test(charset)) {
    throw new UnsupportedMediaType(`JSON bodies are UTF-8, not ${charset}`);
  }
}

async function readText(ctx: Context, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      // Stop reading; the connection is closed after the answer so the rest is not parsed as a request.
      ctx.set('Connection', 'close');
      throw tooLarge(limit);
    }
    chunks.push(chunk);
  }
  const bytes = Buffer.concat(chunks);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new BadRequest('the request body is not valid UTF-8', undefined, 'malformed-json');
  }
}

function tooLarge(limit: number): PayloadTooLarge {
  return new PayloadTooLarge(`the request body is larger than ${limit} bytes`);
}

/** Iterative, so a hostile document cannot overflow the stack. */
function depthExceeds(value: Json, max: number): boolean {
  const stack: Array<[Json, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > max) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) stack.push([child, depth + 1]);
  }
  return false;
}
