import type { Context } from 'koa';
import { collectionOf, type ServerNode } from '../node.js';
import { loadOpenApi } from './openapi.js';
import { nodeOpenApi } from './openapi-node.js';

/** `describedby`: the JSON Schema of a collection's item data. */
export function schemaRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      ctx.type = 'application/schema+json';
      ctx.body = collection.schema;
    },
  };
}

// `application/vnd.oai.openapi` is the OpenAPI Initiative's IANA registration for YAML (its
// JSON twin is `+json`); OpenAPI tools still send it, so both count as asking for the document.
const YAML_TYPES = ['application/yaml', 'application/openapi+yaml', 'application/vnd.oai.openapi', 'text/yaml', 'application/x-yaml'];
const JSON_TYPES = ['application/json', 'application/openapi+json', 'application/vnd.oai.openapi+json'];

/** `service-desc`: the node's own OpenAPI document (built once), JSON unless the client asks for YAML. */
export function openapiRoute(node: ServerNode) {
  let built: Promise<Record<string, unknown>> | undefined;
  return {
    async GET(ctx: Context) {
      built ??= loadOpenApi().then((generic) => nodeOpenApi(generic, { paths: node.paths, collections: node.collections.values() }));
      const document = await built.catch((error: unknown) => {
        built = undefined;
        throw error;
      });
      const type = ctx.accepts(...JSON_TYPES, ...YAML_TYPES);
      if (typeof type === 'string' && YAML_TYPES.includes(type)) {
        ctx.type = `${type}; charset=utf-8`;
        // Loaded on demand, as in openapi.ts: most clients ask for JSON.
        const { stringify } = await import('yaml');
        ctx.body = stringify(document);
        return;
      }
      ctx.type = typeof type === 'string' && JSON_TYPES.includes(type) ? type : 'application/json';
      ctx.body = document;
    },
  };
}
