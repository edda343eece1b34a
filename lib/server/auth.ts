import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { Unauthorized } from '../protocol/problems.js';

/** Bearer-token protection of every resource, when the node is given a token. */
export function requireToken(token: string) {
  const expected = digest(token);
  return async (ctx: Context, next: Next): Promise<void> => {
    const sent = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
    if (sent === undefined) throw new Unauthorized('send Authorization: Bearer <token>');
    // Compared as digests so neither the length nor the content leaks through timing.
    if (!timingSafeEqual(digest(sent), expected)) throw new Unauthorized('the bearer token is wrong');
    await next();
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
