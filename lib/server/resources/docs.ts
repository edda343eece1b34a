import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Context } from 'koa';
import type { Paths } from '../http/links.js';

/**
 * `service-doc` (RFC 8631): the API reference for people, Swagger UI (swagger-ui-dist, served
 * from this node's own files, no CDN) pointed at the node's own OpenAPI document. Like the
 * HAL browser it holds no data: it is served to anyone, and the document it reads is too.
 */
const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** The files of swagger-ui-dist the page loads, by the name they are served under. */
export const DOCS_ASSETS: Record<string, string> = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
};

const cache = new Map<string, Promise<Buffer>>();

export function docsRoute(paths: Paths) {
  const page = docsPage(paths);
  return {
    async GET(ctx: Context) {
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page;
    },
  };
}

export function docsAssetRoute(name: string) {
  const type = DOCS_ASSETS[name]!;
  return {
    async GET(ctx: Context) {
      let bytes = cache.get(name);
      if (!bytes) {
        bytes = readFile(join(DIST, name));
        cache.set(name, bytes);
        bytes.catch(() => cache.delete(name));
      }
      ctx.set('Cache-Control', 'public, max-age=86400');
      ctx.type = type;
      ctx.body = await bytes;
    },
  };
}

/** JSON for an inline script: `<` escaped so no string can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Built from the node's configured paths only, nothing of a request. */
function docsPage(paths: Paths): string {
  const asset = (name: string) => escapeHtml(`${paths.docs}/${name}`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · halsync</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="${asset('swagger-ui.css')}">
<style>
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; }
nav.halsync { padding: .5rem 1.5rem; border-bottom: 1px solid #ccc; }
nav.halsync a { color: #0b5cad; }
</style>
</head>
<body data-state="loading">
<nav class="halsync" aria-label="halsync"><a href="${escapeHtml(paths.root)}">← API root</a> · API reference · <a href="${escapeHtml(paths.openapi)}">OpenAPI document</a></nav>
<main id="swagger-ui"></main>
<script src="${asset('swagger-ui-bundle.js')}"></script>
<script>
window.ui = SwaggerUIBundle({
  url: ${scriptJson(paths.openapi)},
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: true,
  onComplete: function () { document.body.setAttribute('data-state', 'ready'); }
});
</script>
</body>
</html>
`;
}
