import type { Context } from 'koa';
import type { Principal } from '../../lib/server/principal.js';

/**
 * Principals for tests, by bearer token, through createApp's `authenticate` option. The map is
 * live: a test changes a principal's grants between requests, as a principals file or a new
 * JWT would.
 */
export class TestPrincipals {
  readonly byToken = new Map<string, Principal>();

  /** A scoped principal reading and writing `read`/`write` channels of one collection. */
  scoped(token: string, collection: string, read: string[], write: string[] = read): this {
    this.byToken.set(token, { id: token, kind: 'scoped', grants: { [collection]: { read, write } } });
    return this;
  }

  admin(token: string): this {
    this.byToken.set(token, { id: token, kind: 'all', grants: {} });
    return this;
  }

  readonly authenticate = (ctx: Context): Principal | null => {
    const token = /^Bearer\s+(\S+)$/i.exec(ctx.get('Authorization'))?.[1];
    return token === undefined ? null : (this.byToken.get(token) ?? null);
  };
}

export function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}
