import type { Context } from 'koa';
import { CURIE_PREFIX, rels } from '../../protocol/rels.js';
import { linker, sendHal, type ServerNode } from '../node.js';
import { halDocument } from '../http/hal.js';
import { principalOf, seesCollection } from '../principal.js';

/** The API root: the one URI a client is given; everything else is found from here. */
export function rootRoute(node: ServerNode) {
  return {
    async GET(ctx: Context) {
      const links = linker(ctx, node);
      const doc = halDocument({
        properties: { title: 'halsync' },
        links: {
          self: { href: links.root() },
          curies: [{ name: CURIE_PREFIX, href: links.relTemplate(), templated: true }],
          [rels.collection]: [...node.collections.values()]
            .filter((c) => seesCollection(principalOf(ctx), c.name))
            .map((c) => ({ href: links.collection(c.name), name: c.name, title: c.title })),
          [rels.serviceDesc]: { href: links.openapi() },
          [rels.serviceDoc]: { href: links.docs(), type: 'text/html', title: 'API reference' },
        },
      });
      sendHal(ctx, doc);
    },
  };
}
