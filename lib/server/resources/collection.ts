import type { Context } from 'koa';
import { rels } from '../../protocol/rels.js';
import { collectionOf, linker, sendHal, type ServerNode } from '../node.js';
import { halDocument } from '../http/hal.js';
import { createItem } from './item.js';
import { collectionTemplates, withTemplates } from './templates.js';

/** A collection: where its log, its items and its schema are. POST adds an item. */
export function collectionRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const links = linker(ctx, node);
      const doc = halDocument({
        properties: { name: collection.name, title: collection.title },
        links: {
          self: { href: links.collection(collection.name) },
          up: { href: links.root() },
          [rels.transactions]: { href: links.transactionsTemplate(collection.name), templated: true },
          [rels.item]: { href: links.itemTemplate(collection.name), templated: true },
          [rels.describedBy]: { href: links.schema(collection.name), type: 'application/schema+json' },
          [rels.conflicts]: { href: links.conflicts(collection.name), title: 'Conflicts decided on this node' },
        },
      });
      sendHal(
        ctx,
        withTemplates(ctx, doc, () => collectionTemplates(ctx, node, collection)),
      );
    },
    async POST(ctx: Context, params: Record<string, string>) {
      await createItem(ctx, node, collectionOf(node, params['collection']!, ctx));
    },
  };
}
