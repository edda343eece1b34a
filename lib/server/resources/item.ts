import { randomUUID } from 'node:crypto';
import type { Context } from 'koa';
import { fingerprint, TOMBSTONE_FINGERPRINT } from '../../protocol/fingerprint.js';
import { BadRequest, Forbidden, Gone, NotFound, PreconditionFailed, ValidationFailed } from '../../protocol/problems.js';
import { isItemId } from '../../protocol/ids.js';
import { rels } from '../../protocol/rels.js';
import { fieldErrors, validator } from '../../protocol/schemas.js';
import type { Json } from '../../protocol/types.js';
import type { Precondition, StoredItem } from '../../store/store.js';
import { readJson } from '../http/body.js';
import type { Collection } from '../collections.js';
import { collectionOf, linker, sendHal, type ServerNode } from '../node.js';
import { beginWrite } from '../http/deadline.js';
import { halDocument, type HalBody } from '../http/hal.js';
import { itemTemplates, withTemplates } from './templates.js';
import { canRead, principalOf, writeAuthorizer } from '../principal.js';

/**
 * One item. Direct writes make this node the item's origin: the store stamps `updatedAt`
 * from the node's clock. Its ETag is its fingerprint, so If-Match is optimistic locking.
 */
export function itemRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const { collection, itemId } = target(ctx, node, params);
      const item = await readable(ctx, collection, await node.store.getItem(collection.name, itemId));
      if (!item) throw new NotFound(`collection "${collection.name}" has no item ${itemId}`);
      if (item.deleted) throw new Gone(`item ${itemId} was deleted at ${item.updatedAt}`);
      const etag = `"${item.fingerprint}"`;
      ctx.set('ETag', etag);
      if (noneMatch(ctx.get('If-None-Match'), item.fingerprint)) {
        ctx.status = 304;
        return;
      }
      sendHal(
        ctx,
        withTemplates(ctx, itemDocument(ctx, node, collection, item), () => itemTemplates(ctx, node, collection, item)),
      );
    },

    async PUT(ctx: Context, params: Record<string, string>) {
      const { collection, itemId } = target(ctx, node, params);
      const data = await readItemData(ctx, node, collection);
      const current = await node.store.getItem(collection.name, itemId);
      // Before If-Match and If-None-Match, whose 412 would tell a version of an item it may not see.
      refuseUnlessWritable(ctx, collection, itemId, current, collection.channels(data));
      const precondition = ifMatch(ctx.get('If-Match'), current) ?? ifNoneMatch(ctx.get('If-None-Match'), current) ?? { kind: 'none' };
      // Created or replaced as the store's transaction found it: of racing creates, one is the 201.
      const { item, existed } = await write(ctx, node, collection, itemId, data, precondition);
      if (!existed) ctx.set('Location', linker(ctx, node).item(collection.name, itemId));
      respondWithItem(ctx, node, collection, item, existed ? 200 : 201);
    },

    async DELETE(ctx: Context, params: Record<string, string>) {
      const { collection, itemId } = target(ctx, node, params);
      const current = await node.store.getItem(collection.name, itemId);
      if (!current) throw new NotFound(`collection "${collection.name}" has no item ${itemId}`);
      refuseUnlessWritable(ctx, collection, itemId, current, current.channels);
      const precondition = ifMatch(ctx.get('If-Match'), current) ?? { kind: 'exists' };
      await write(ctx, node, collection, itemId, TOMBSTONE, precondition);
      ctx.status = 204;
    },
  };
}

/** POST on a collection: a new item under a UUID this node picks. */
export async function createItem(ctx: Context, node: ServerNode, collection: Collection): Promise<void> {
  // RFC 9110 §13.1.1: the target of a POST is the collection. It exists, so `*` holds, but it
  // has no ETag, and the new item has no version yet: any entity tag fails (DESIGN: POST honours If-Match).
  const header = ctx.get('If-Match');
  if (header && header.trim() !== '*') throw new PreconditionFailed('If-Match names a version, but a POST creates a new item that has none; only * can match');
  const data = await readItemData(ctx, node, collection);
  const itemId = randomUUID();
  const { item } = await write(ctx, node, collection, itemId, data, { kind: 'base', fingerprint: null });
  ctx.set('Location', linker(ctx, node).item(collection.name, itemId));
  respondWithItem(ctx, node, collection, item, 201);
}

export function itemDocument(ctx: Context, node: ServerNode, collection: Collection, item: StoredItem): HalBody {
  const links = linker(ctx, node);
  return halDocument({
    properties: { itemId: item.itemId, updatedAt: item.updatedAt, fingerprint: item.fingerprint, deleted: item.deleted, data: item.data },
    links: { self: { href: links.item(collection.name, item.itemId) }, [rels.collectionUp]: { href: links.collection(collection.name) } },
  });
}

/**
 * The item if the request's principal may read it, else null: an item outside its view is
 * answered exactly as an unknown one (DESIGN §7), tombstones included.
 */
export async function readable(ctx: Context, collection: Collection, item: StoredItem | null): Promise<StoredItem | null> {
  return item && canRead(principalOf(ctx), collection.name, item.channels) ? item : null;
}

/** 403 when the principal's write grant does not cover the item's channels now and after (checked again in the store's transaction). */
function refuseUnlessWritable(ctx: Context, collection: Collection, itemId: string, current: StoredItem | null, after: readonly string[]): void {
  const authorize = writeAuthorizer(principalOf(ctx), collection.name);
  if (authorize && !authorize(current, after)) throw forbiddenItem(collection, itemId);
}

function forbiddenItem(collection: Collection, itemId: string): Forbidden {
  return new Forbidden(`your write grants on collection "${collection.name}" do not cover item ${itemId}`, undefined, [
    { pointer: '/data', detail: 'outside your write grants' },
  ]);
}

function target(ctx: Context, node: ServerNode, params: Record<string, string>): { collection: Collection; itemId: string } {
  const collection = collectionOf(node, params['collection']!, ctx);
  const itemId = params['itemId']!.toLowerCase();
  if (!isItemId(itemId)) throw new BadRequest(`"${itemId}" is not an item id (a UUID)`, [{ pointer: '/itemId', detail: 'must be a UUID' }]);
  return { collection, itemId };
}

// A schema may allow `null` as data, so a deletion needs its own marker.
const TOMBSTONE = Symbol('tombstone');

async function readItemData(ctx: Context, node: ServerNode, collection: Collection): Promise<Json> {
  const body = await readJson(ctx, node.bodyLimit);
  const writeBody = validator('item-write');
  if (!writeBody(body)) throw new ValidationFailed('the body must be { "data": … }', fieldErrors(writeBody.errors));
  const data = (body as { data: Json }).data;
  const errors = collection.check(data, '/data');
  if (errors.length > 0) throw new ValidationFailed(`data does not match the schema of collection "${collection.name}"`, errors);
  return data;
}

async function write(
  ctx: Context,
  node: ServerNode,
  collection: Collection,
  itemId: string,
  data: Json | typeof TOMBSTONE,
  precondition: Precondition,
): Promise<{ item: StoredItem; existed: boolean }> {
  beginWrite(ctx);
  const deleted = data === TOMBSTONE;
  const authorize = writeAuthorizer(principalOf(ctx), collection.name);
  const outcome = await node.store.apply(
    collection.name,
    [
      {
        itemId,
        deleted,
        data: deleted ? null : data,
        fingerprint: deleted ? TOMBSTONE_FINGERPRINT : fingerprint(data),
        updatedAt: null,
        precondition,
        ...(deleted ? {} : { channels: collection.channels(data) }),
        preconditionFirst: true,
      },
    ],
    { now: node.clock, ...(authorize ? { authorize } : {}) },
  );
  // A concurrent write moved the item out of the grants between the check and the transaction.
  if (!outcome.ok && outcome.forbidden) throw forbiddenItem(collection, itemId);
  // The header was checked before; a refusal here means a concurrent write got there first.
  if (!outcome.ok) throw new PreconditionFailed(`item ${itemId} changed while this request was processed`);
  return { item: outcome.items[0]!, existed: outcome.existed[0]! };
}

function respondWithItem(ctx: Context, node: ServerNode, collection: Collection, item: StoredItem, status: number): void {
  ctx.set('ETag', `"${item.fingerprint}"`);
  sendHal(ctx, itemDocument(ctx, node, collection, item), status);
}

/** The precondition If-Match asks for, or undefined without the header. Fails early with 412. */
function ifMatch(header: string, current: StoredItem | null): Precondition | undefined {
  if (!header) return undefined;
  if (header.trim() === '*') {
    if (!current) throw new PreconditionFailed('If-Match: * but the item does not exist');
    return { kind: 'exists' };
  }
  // If-Match uses the strong comparison: weak tags never match.
  const tags = entityTags(header)
    .filter((t) => !t.weak)
    .map((t) => t.opaque);
  if (!current || !tags.includes(current.fingerprint)) {
    throw new PreconditionFailed(current ? `the item's ETag is "${current.fingerprint}"` : 'the item does not exist');
  }
  return { kind: 'base', fingerprint: current.fingerprint };
}

/**
 * If-None-Match on a PUT (RFC 9110 §13.1.2): `*` makes it create-only, a tag refuses to
 * overwrite that version; a tombstone has no current representation (it answers 410), so
 * neither matches it. When it lets the write through, the write must still find the version
 * checked here, so a concurrent create cannot slip in between. Undefined without the header.
 */
function ifNoneMatch(header: string, current: StoredItem | null): Precondition | undefined {
  if (!header) return undefined;
  const live = current && !current.deleted ? current : null;
  if (live && noneMatch(header, live.fingerprint)) {
    throw new PreconditionFailed(header.trim() === '*' ? 'If-None-Match: * but the item exists' : `the item's ETag is "${live.fingerprint}"`);
  }
  return { kind: 'base', fingerprint: current ? current.fingerprint : null };
}

/** If-None-Match uses the weak comparison. */
function noneMatch(header: string, fingerprint: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  return entityTags(header).some((t) => t.opaque === fingerprint);
}

function entityTags(header: string): Array<{ weak: boolean; opaque: string }> {
  return [...header.matchAll(/(W\/)?"([^"]*)"/g)].map((m) => ({ weak: m[1] !== undefined, opaque: m[2]! }));
}
