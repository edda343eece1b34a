import Router, { type Layer, type MatchResult } from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { BadRequest, MethodNotAllowed, NotFound } from '../../protocol/problems.js';

export type Handler = (ctx: Context, params: Record<string, string>) => Promise<void>;
export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';
export type Handlers = Partial<Record<Method, Handler>>;

/**
 * Routes path templates (`/{collection}/{itemId}`, RFC 6570 level 1, as `paths` gives them)
 * with @koa/router. A path belongs to exactly one template, the most literal one that matches
 * (OpenAPI's path-templating rule), so `/items/transactions` is never an item, and a wrong
 * method on a known path is a 405 with `Allow` (from allowedMethods()), never another
 * template's answer. Every refusal is a typed problem for the one error middleware.
 */
export function routing(routes: ReadonlyArray<readonly [template: string, handlers: Handlers]>): Middleware {
  const router = new LiteralFirstRouter({ strict: true, sensitive: true });
  for (const [template, handlers] of routes) {
    const path = routerPath(template);
    router.ranks.set(path, rank(template));
    for (const [method, handler] of Object.entries(handlers) as Array<[Method, Handler]>) {
      const run = (ctx: Context) => handler(ctx, params(ctx));
      if (method === 'GET') router.get(path, run);
      else if (method === 'PUT') router.put(path, run);
      else if (method === 'POST') router.post(path, run);
      else router.delete(path, run);
    }
  }
  // The router's middleware is typed for its own context; ctx.params and ctx.router are what it adds.
  const dispatch = router.routes() as unknown as Middleware;
  const methods = router.allowedMethods() as unknown as Middleware;
  // allowedMethods() answers a path no handler took with a status (405, 501 for a method it knows
  // nowhere, 200 to OPTIONS) and Allow: turned here into the node's own answers and problems.
  return async (ctx: Context, next: Next) => {
    await methods(ctx, () => dispatch(ctx, next));
    if ((ctx as Context & { routeMatched?: boolean }).routeMatched) return;
    const allow = allowList(String(ctx.response.get('Allow') ?? ''));
    if (allow.length === 0) throw new NotFound(`nothing is published at ${ctx.path}`);
    if (ctx.method !== 'OPTIONS') throw new MethodNotAllowed(`${ctx.method} is not allowed here; use ${allow.join(', ')}`, allow);
    ctx.set('Allow', allow.join(', '));
    ctx.status = 204;
  };
}

class LiteralFirstRouter extends Router {
  /** Per router path, one number a segment: 0 literal, 1 variable. */
  readonly ranks = new Map<string, number[]>();

  /** Keeps only the layers of the most literal template among those matching the path. */
  override match(path: string, method: string): MatchResult {
    const result = super.match(path, method);
    const best = result.path.map((layer) => this.rankOf(layer)).sort(compareRanks)[0];
    if (best === undefined) return result;
    const owns = (layer: Layer) => compareRanks(this.rankOf(layer), best) === 0;
    const pathAndMethod = result.pathAndMethod.filter(owns);
    return { path: result.path.filter(owns), pathAndMethod, route: pathAndMethod.some((layer) => layer.methods.length > 0) };
  }

  private rankOf(layer: Layer): number[] {
    return this.ranks.get(String(layer.path)) ?? [];
  }
}

/** `/{collection}/{itemId}` → `/:collection/:itemId`, with path-to-regexp's own characters escaped. */
function routerPath(template: string): string {
  return template
    .split(/(\{\w+\})/)
    .map((part) => {
      const name = /^\{(\w+)\}$/.exec(part)?.[1];
      return name === undefined ? part.replace(/[{}()[\]+?!:*\\]/g, '\\$&') : `:${name}`;
    })
    .join('');
}

function rank(template: string): number[] {
  return template.split('/').map((segment) => (segment.includes('{') ? 1 : 0));
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** The route's parameters, decoded; the router leaves a malformed escape as it came, which is a bad request. */
function params(ctx: Context): Record<string, string> {
  for (const capture of (ctx as Context & { captures?: string[] }).captures ?? []) {
    try {
      decodeURIComponent(capture);
    } catch {
      throw new BadRequest(`"${capture}" is not a valid URI path segment`);
    }
  }
  return (ctx as Context & { params: Record<string, string> }).params;
}

/** The router lists HEAD before GET and no OPTIONS; the node has always answered `GET, …, HEAD, OPTIONS`. */
function allowList(header: string): string[] {
  const methods = header
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m !== '' && m !== 'HEAD' && m !== 'OPTIONS');
  if (methods.length === 0) return [];
  return [...methods, ...(methods.includes('GET') ? ['HEAD'] : []), 'OPTIONS'];
}
