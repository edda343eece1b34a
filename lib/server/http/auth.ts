import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { Forbidden, Unauthorized } from '../../protocol/problems.js';

/** `read` may GET, HEAD and OPTIONS; `write` may also PUT, POST and DELETE. */
export type Scope = 'read' | 'write';

/** A bearer token the node accepts, and what it may do. */
export interface AccessToken {
  token: string;
  scope: Scope;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bearer-token protection of every resource (the root, `/rels`, `/openapi` and OPTIONS
 * included: a protected node says nothing to a stranger). No token or an unknown one is a
 * 401; a `read` token on a write is a 403, checked before anything is read or written.
 */
export function requireTokens(tokens: readonly AccessToken[]) {
  if (tokens.length === 0) throw new Error('auth needs at least one token');
  for (const { token } of tokens) {
    // RFC 6750 token68: what can travel in `Authorization: Bearer …` unchanged.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new Error('a bearer token must be letters, digits and -._~+/ (then optional =)');
  }
  const known = tokens.map(({ token, scope }) => ({ digest: digest(token), scope }));
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('Authorization');
    const sent = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    if (sent === undefined) throw new Unauthorized('send Authorization: Bearer <token>');
    const scope = scopeOf(known, sent);
    if (scope === undefined) throw new Unauthorized('the bearer token is wrong', 'invalid_token');
    if (scope === 'read' && !READ_METHODS.has(ctx.method)) throw new Forbidden(`this token is read-only; ${ctx.method} needs a read-write token`, 'write');
    // What the principal may do, for the HAL-FORMS templates (lib/server/resources/templates.ts).
    (ctx.state as { scope?: Scope }).scope = scope;
    await next();
  };
}

/** The scope of the sent token, comparing with every known one so the match's position does not leak either. */
function scopeOf(known: ReadonlyArray<{ digest: Buffer; scope: Scope }>, sent: string): Scope | undefined {
  // Compared as digests so neither the length nor the content leaks through timing.
  const given = digest(sent);
  let found: Scope | undefined;
  for (const { digest: expected, scope } of known) {
    if (timingSafeEqual(given, expected) && found !== 'write') found = scope;
  }
  return found;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The `token` option (read-write) and the `auth` list, as one list; empty: the node is open. */
export function accessTokens(token: string | undefined, auth: readonly AccessToken[] | undefined): AccessToken[] {
  return [...(token ? [{ token, scope: 'write' as const }] : []), ...(auth ?? [])];
}
