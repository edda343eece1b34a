import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { configValidator, firstError } from './config-schemas.js';
import type { Grant, Principal } from './principal.js';

/**
 * Where principals come from besides the administrator and read tokens (DESIGN §7): a
 * principals file (bearer token → `{ id, grants }`) and JWT bearers (`sub` the id, claim
 * `halsync` the grants). Both are checked against spec/ schemas, so a bad file fails at start
 * and a JWT with malformed grants is refused like a bad signature.
 */
export type Grants = Record<string, Partial<Grant>>;

export interface PrincipalEntry {
  id: string;
  grants: Grants;
}

/** What a verified JWT is checked against: one of `secret` (HS256) or `jwks` (a key set URL: RS256, ES256). */
export interface JwtOptions {
  secret?: string;
  jwks?: string;
  issuer?: string;
  audience?: string;
  /** How long after fetching the key set a token naming an unknown key may fetch it again (default 30 s). */
  jwksCooldownMs?: number;
}

/** A principals file's content, checked; throws one line naming the file and the first bad field. */
export function parsePrincipals(json: unknown, source: string): Map<string, PrincipalEntry> {
  const validate = configValidator('principals');
  if (!validate(json)) {
    // The pointer's first token is a bearer token: the message names its place in the file instead.
    const tokens = json !== null && typeof json === 'object' ? Object.keys(json) : [];
    const where = firstError(validate).replace(/^\/([^/ ]*)/, (_, token: string) => {
      const at = tokens.indexOf(token.replaceAll('~1', '/').replaceAll('~0', '~'));
      return at < 0 ? '/<token>' : `/<token ${at + 1}>`;
    });
    throw new Error(`${source}: not a principals file: ${where}`);
  }
  return new Map(Object.entries(json as Record<string, PrincipalEntry>));
}

/** A scoped principal of an id and its grants (absent lists: no channels). */
export function scopedPrincipal(id: string, grants: Grants): Principal {
  const full: Record<string, Grant> = {};
  for (const [collection, grant] of Object.entries(grants)) full[collection] = { read: grant.read ?? [], write: grant.write ?? [] };
  return { id, kind: 'scoped', grants: full };
}

/** Algorithms a key may sign with: never `none`, and a shared secret only for HS256. */
const SECRET_ALGORITHMS = ['HS256'];
const KEY_SET_ALGORITHMS = ['RS256', 'ES256'];

/**
 * The principal of a JWT bearer, or null when it does not verify (signature, `alg`, `exp`,
 * `nbf`, issuer, audience) or its `sub` or `halsync` claim is missing or malformed. A key set
 * is fetched by jose's remote set: cached, and fetched again when a token names a key it lacks.
 */
export function jwtVerifier(options: JwtOptions): (token: string) => Promise<Principal | null> {
  if ((options.secret === undefined) === (options.jwks === undefined)) throw new Error('JWT verification needs exactly one of a secret or a JWKS URL');
  const key: Uint8Array | JWTVerifyGetKey =
    options.secret !== undefined
      ? new TextEncoder().encode(options.secret)
      : createRemoteJWKSet(new URL(options.jwks!), { cooldownDuration: options.jwksCooldownMs ?? 30_000 });
  const verify = {
    algorithms: options.secret !== undefined ? SECRET_ALGORITHMS : KEY_SET_ALGORITHMS,
    ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    ...(options.audience === undefined ? {} : { audience: options.audience }),
  };
  return async (token) => {
    let payload: Record<string, unknown>;
    try {
      // jose types the two key kinds in separate overloads.
      payload = (typeof key === 'function' ? await jwtVerify(token, key, verify) : await jwtVerify(token, key, verify)).payload;
    } catch {
      return null;
    }
    const sub = payload['sub'];
    const grants = payload['halsync'] ?? {};
    if (typeof sub !== 'string' || sub === '' || !configValidator('grants')(grants)) return null;
    return scopedPrincipal(sub, grants as Grants);
  };
}
