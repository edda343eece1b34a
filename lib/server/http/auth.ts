import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Next } from 'koa';
import { Forbidden, Unauthorized } from '../../protocol/problems.js';
import type { Principal } from '../principal.js';
import { jwtVerifier, scopedPrincipal, type JwtOptions, type PrincipalEntry } from '../principals.js';

/** `read` may GET, HEAD and OPTIONS; `write` may also PUT, POST and DELETE. */
export type Scope = 'read' | 'write';

/** A bearer token the node accepts, and what it may do. */
export interface AccessToken {
  token: string;
  scope: Scope;
}

/** An application's own authentication (createApp's `authenticate`): the request's principal, or null (then 401). */
export type Authenticate = (ctx: Context) => Principal | null | undefined | Promise<Principal | null | undefined>;

/** Every way a node may know its principals; a node with none configured is open. */
export interface Credentials {
  tokens: readonly AccessToken[];
  /** A principals file, read: bearer token → principal. */
  principals?: ReadonlyMap<string, PrincipalEntry>;
  jwt?: JwtOptions;
  authenticate?: Authenticate;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ADMIN: Principal = Object.freeze({ id: 'admin', kind: 'all', grants: {} });
const READER: Principal = Object.freeze({ id: 'reader', kind: 'read-all', grants: {} });

export function hasCredentials(credentials: Credentials): boolean {
  return credentials.tokens.length > 0 || (credentials.principals?.size ?? 0) > 0 || credentials.jwt !== undefined || credentials.authenticate !== undefined;
}

/**
 * Authenticates every request it guards to a principal, on `ctx.state.principal`: the
 * application's `authenticate` first, then the bearer token (the admin and read tokens, a
 * principals file's tokens, a JWT). None, or a bearer that is none of them: 401 (RFC 6750
 * challenge). A read-only principal's write is a 403 before anything is read; what a scoped
 * principal may write is decided per item, inside the store's transaction.
 */
export function authenticateRequests(credentials: Credentials) {
  const tokens = [
    // A token given as both: the read-write meaning wins.
    ...[...credentials.tokens]
      .sort((a, b) => (a.scope === b.scope ? 0 : a.scope === 'write' ? -1 : 1))
      .map(({ token, scope }) => ({ token, principal: scope === 'write' ? ADMIN : READER })),
    ...[...(credentials.principals ?? new Map<string, PrincipalEntry>())].map(([token, entry]) => ({
      token,
      principal: scopedPrincipal(entry.id, entry.grants),
    })),
  ];
  for (const { token } of tokens) {
    // RFC 6750 token68: what can travel in `Authorization: Bearer …` unchanged.
    if (!/^[A-Za-z0-9\-._~+/]+=*$/.test(token)) throw new Error('a bearer token must be letters, digits and -._~+/ (then optional =)');
  }
  const known = tokens.map(({ token, principal }) => ({ digest: digest(token), principal }));
  const jwt = credentials.jwt ? jwtVerifier(credentials.jwt) : undefined;
  return async (ctx: Context, next: Next): Promise<void> => {
    const principal = await principalFor(ctx);
    if (principal.kind === 'read-all' && !READ_METHODS.has(ctx.method))
      throw new Forbidden(`this token is read-only; ${ctx.method} needs a read-write token`, 'write');
    (ctx.state as { principal?: Principal }).principal = principal;
    await next();
  };

  async function principalFor(ctx: Context): Promise<Principal> {
    const own = credentials.authenticate ? await credentials.authenticate(ctx) : null;
    if (own) return own;
    const sent = /^Bearer\s+(\S+)\s*$/i.exec(ctx.get('Authorization'))?.[1];
    if (sent === undefined) throw new Unauthorized('send Authorization: Bearer <token>');
    const found = matching(known, sent) ?? (jwt && sent.split('.').length === 3 ? await jwt(sent) : null);
    if (!found) throw new Unauthorized('the bearer token is wrong', 'invalid_token');
    return found;
  }
}

/**
 * The principal of the sent token, comparing with every known one so the match's position does
 * not leak either. Two entries of one token: the first wins (the admin token over the others).
 */
function matching(known: ReadonlyArray<{ digest: Buffer; principal: Principal }>, sent: string): Principal | null {
  // Compared as digests so neither the length nor the content leaks through timing.
  const given = digest(sent);
  let found: Principal | null = null;
  for (const { digest: expected, principal } of known) {
    if (timingSafeEqual(given, expected) && found === null) found = principal;
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
