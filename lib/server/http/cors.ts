import koaCors from '@koa/cors';
import type { Middleware } from 'koa';

/**
 * Cross-origin access for web pages that sync with the node (DESIGN §8): only origins named
 * (`*`: any). A page sends its bearer token in `Authorization`, never a cookie, so no
 * credentials mode is needed and `*` may be answered as it is. The preflight is answered here,
 * before authentication (a browser sends it without credentials); every other answer to an
 * allowed origin carries the headers, problem documents included (see problem.ts), so a page
 * can read a 401 or a 409.
 */
export const CORS_ALLOW_HEADERS = ['Authorization', 'Content-Type', 'Content-Encoding', 'If-Match', 'If-None-Match', 'Prefer'];
export const CORS_EXPOSE_HEADERS = ['ETag', 'Location', 'Preference-Applied'];

/** How long a browser may keep a preflight's answer (seconds). */
const MAX_AGE = 600;

export function cors(origins: readonly string[]): Middleware {
  const any = origins.includes('*');
  const allowed = new Set(origins.filter((o) => o !== '*').map(toOrigin));
  return koaCors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      if (origin === '') return '';
      return any ? '*' : allowed.has(origin) ? origin : '';
    },
    allowMethods: ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAge: MAX_AGE,
  });
}

/** An origin as a browser sends it (`https://app.example`), or an error naming what is wrong. */
function toOrigin(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`cors: "${text}" is not an origin (scheme://host[:port], or *)`);
  }
  if (url.origin === 'null' || url.origin !== text.replace(/\/$/, '')) {
    throw new Error(`cors: "${text}" is not an origin (scheme://host[:port], no path, or *)`);
  }
  return url.origin;
}
