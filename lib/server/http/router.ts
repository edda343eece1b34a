import type { Context } from 'koa';
import { BadRequest, MethodNotAllowed, NotFound } from '../../protocol/problems.js';

export type Handler = (ctx: Context, params: Record<string, string>) => Promise<void>;
export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE';

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
  /** Per segment, 0 literal and 1 variable: literal segments win over variables. */
  rank: number[];
  handlers: Partial<Record<Method, Handler>>;
}

/**
 * Routes path templates (`/{collection}/{itemId}`) to handlers. A path belongs to exactly
 * one route, the most literal one that matches, so `/items/transactions` is never an item
 * and a wrong method on a known path is a 405 with `Allow`, never another route's 404.
 */
export class Router {
  private readonly routes: Route[] = [];

  route(template: string, handlers: Partial<Record<Method, Handler>>): this {
    const existing = this.routes.find((r) => r.template === template);
    if (existing) {
      Object.assign(existing.handlers, handlers);
      return this;
    }
    const names: string[] = [];
    const source = template
      .split(/(\{\w+\})/)
      .map((part) => {
        const name = /^\{(\w+)\}$/.exec(part)?.[1];
        if (name === undefined) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(name);
        return '([^/]+)';
      })
      .join('');
    const rank = template.split('/').map((segment) => (segment.includes('{') ? 1 : 0));
    this.routes.push({ template, pattern: new RegExp(`^${source}$`), names, rank, handlers });
    this.routes.sort((a, b) => compareRanks(a.rank, b.rank));
    return this;
  }

  async dispatch(ctx: Context): Promise<void> {
    for (const route of this.routes) {
      const match = route.pattern.exec(ctx.path);
      if (!match) continue;
      const params = Object.fromEntries(route.names.map((name, i) => [name, decode(match[i + 1]!)]));
      const allow = allowed(route);
      if (ctx.method === 'OPTIONS') {
        ctx.set('Allow', allow.join(', '));
        ctx.status = 204;
        return;
      }
      const handler = route.handlers[(ctx.method === 'HEAD' ? 'GET' : ctx.method) as Method];
      if (!handler) throw new MethodNotAllowed(`${ctx.method} is not allowed here; use ${allow.join(', ')}`, allow);
      return handler(ctx, params);
    }
    throw new NotFound(`nothing is published at ${ctx.path}`);
  }
}

function allowed(route: Route): string[] {
  const methods = Object.keys(route.handlers);
  if (methods.includes('GET')) methods.push('HEAD');
  return [...methods, 'OPTIONS'];
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BadRequest(`"${segment}" is not a valid URI path segment`);
  }
}
