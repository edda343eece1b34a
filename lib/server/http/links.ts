import type { Context } from 'koa';
import { BadRequest } from '../../protocol/problems.js';

/**
 * Where each resource lives. Templates in RFC 6570 level-1 form (`{name}`); nothing else in
 * the server names a path, so an API can be served under any prefix or layout.
 */
export interface Paths {
  root: string;
  collection: string;
  transactions: string;
  item: string;
  job: string;
  rel: string;
  schema: string;
  openapi: string;
  /** The API reference page (Swagger UI); its assets are served below it. */
  docs: string;
  /** The conflict audit of a collection, one record, and the restore action of a record. */
  conflicts: string;
  conflict: string;
  restore: string;
}

export const DEFAULT_PATHS: Paths = {
  root: '/',
  collection: '/{collection}',
  transactions: '/{collection}/transactions',
  item: '/{collection}/{itemId}',
  job: '/jobs/{jobId}',
  rel: '/rels/{rel}',
  schema: '/schemas/{collection}',
  openapi: '/openapi',
  docs: '/docs',
  conflicts: '/{collection}/conflicts',
  conflict: '/{collection}/conflicts/{conflictId}',
  restore: '/{collection}/conflicts/{conflictId}/restore',
};

/** Fills the named variables of a template; the others stay as template expressions. */
export function expand(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (values[name] === undefined ? whole : encodeURIComponent(values[name])));
}

// A Host is a name or an IP literal with an optional port: anything else could smuggle text into links.
const HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The request's own origin: its Host, or X-Forwarded-Host/-Proto when the app trusts a
 * proxy (Koa's `app.proxy`). Koa 3's `ctx.origin` is the Origin header, so it is not used.
 */
export function requestOrigin(ctx: Context): string {
  const host = ctx.host;
  if (!HOST.test(host)) throw new BadRequest(host ? `"${host}" is not a valid Host` : 'the request has no Host header');
  const protocol = ctx.protocol === 'https' ? 'https' : 'http';
  return `${protocol}://${host}`;
}

/** Absolute URIs of every resource, for one request. */
export class Linker {
  constructor(
    readonly origin: string,
    private readonly paths: Paths,
  ) {}

  root(): string {
    return this.origin + this.paths.root;
  }

  collection(collection: string): string {
    return this.origin + expand(this.paths.collection, { collection });
  }

  transactions(collection: string): string {
    return this.origin + expand(this.paths.transactions, { collection });
  }

  transactionsTemplate(collection: string): string {
    return `${this.transactions(collection)}{?earliest,cursor,limit,embed}`;
  }

  item(collection: string, itemId: string): string {
    return this.origin + expand(this.paths.item, { collection, itemId });
  }

  itemTemplate(collection: string): string {
    return this.origin + expand(this.paths.item, { collection });
  }

  job(jobId: string): string {
    return this.origin + expand(this.paths.job, { jobId });
  }

  relTemplate(): string {
    return this.origin + this.paths.rel;
  }

  schema(collection: string): string {
    return this.origin + expand(this.paths.schema, { collection });
  }

  openapi(): string {
    return this.origin + this.paths.openapi;
  }

  docs(): string {
    return this.origin + this.paths.docs;
  }

  conflicts(collection: string): string {
    return this.origin + expand(this.paths.conflicts, { collection });
  }

  conflict(collection: string, conflictId: string): string {
    return this.origin + expand(this.paths.conflict, { collection, conflictId });
  }

  restore(collection: string, conflictId: string): string {
    return this.origin + expand(this.paths.restore, { collection, conflictId });
  }

  /** The URI the request was made to, query included. */
  current(ctx: Context): string {
    return this.origin + ctx.path + ctx.search;
  }
}
