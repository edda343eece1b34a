import type { Context } from 'koa';
import { collectionOf, type ServerNode } from './context.js';
import { loadOpenApi } from './openapi.js';

/** `describedby`: the JSON Schema of a collection's item data. */
export function schemaRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!);
      ctx.type = 'application/schema+json';
      ctx.body = collection.schema;
    },
  };
}

const YAML_TYPES = ['application/yaml', 'application/openapi+yaml', 'text/yaml', 'application/x-yaml'];

/** `service-desc`: the OpenAPI document, JSON unless the client asks for YAML. */
export function openapiRoute() {
  return {
    async GET(ctx: Context) {
      const document = await loadOpenApi();
      const type = ctx.accepts('application/json', 'application/openapi+json', ...YAML_TYPES);
      if (typeof type === 'string' && YAML_TYPES.includes(type)) {
        ctx.type = `${type}; charset=utf-8`;
        // Loaded on demand, as in openapi.ts: most clients ask for JSON.
        const { stringify } = await import('yaml');
        ctx.body = stringify(document);
        return;
      }
      ctx.type = type === 'application/openapi+json' ? type : 'application/json';
      ctx.body = document;
    },
  };
}
