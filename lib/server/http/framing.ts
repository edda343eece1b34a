import type { Context, Next } from 'koa';
import { BadRequest } from '../../protocol/problems.js';

/**
 * RFC 9112 §3.2: a request with more than one Host header line, or an HTTP/1.1 request with
 * none, is a 400. Node keeps the first Host and drops the rest, so a proxy that routed on
 * another one and this node would disagree on whose request it is.
 */
export async function oneHost(ctx: Context, next: Next): Promise<void> {
  const raw = ctx.req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) throw new BadRequest(`the request has ${hosts} Host header lines; RFC 9112 §3.2 allows one`, undefined, 'bad-request');
  if (hosts === 0 && ctx.req.httpVersion === '1.1') throw new BadRequest('an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)', undefined, 'bad-request');
  await next();
}
