import type { Context } from 'koa';
import { losers, type ConflictRecord, type Side, type StoredConflict } from '../../protocol/conflicts.js';
import { fingerprint } from '../../protocol/fingerprint.js';
import { BadRequest, Forbidden, NotFound, ValidationFailed, type FieldError } from '../../protocol/problems.js';
import { isItemId } from '../../protocol/ids.js';
import { rels } from '../../protocol/rels.js';
import { fieldErrors, validator } from '../../protocol/schemas.js';
import { restoreConflict } from '../../store/conflicts.js';
import { readJson } from '../http/body.js';
import { limitParam, malformedQuery, queryValues, type RawQuery } from '../http/query.js';
import { auditCursorOf, auditPosition } from '../cursors.js';
import type { Collection } from '../collections.js';
import { collectionOf, linker, sendHal, type ServerNode } from '../node.js';
import { halDocument, type HalInput } from '../http/hal.js';
import { itemDocument } from './item.js';
import { conflictTemplates, withTemplates } from './templates.js';
import { canRead, principalOf, readGrant, writeAuthorizer, type Principal } from '../principal.js';
import type { StoredItem } from '../../store/store.js';
import type { VersionWithData } from '../../protocol/types.js';

export const DEFAULT_CONFLICTS_LIMIT = 50;
export const MAX_CONFLICTS_LIMIT = 1000;

/**
 * The conflict audit of a collection (`sync:conflicts`): GET pages the records newest first;
 * POST lets a sync client that ran a node↔node sync with this node as "local" record the
 * conflicts it decided here (each record carries its own conflictId, so a re-sent POST adds nothing).
 */
export function conflictsRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const query = parseQuery(ctx.query, node);
      const page = await node.store.conflicts(collection.name, { limit: query.limit, ...(query.before === undefined ? {} : { before: query.before }) });
      const records = await visibleRecords(ctx, node, collection, page.records);
      const links = linker(ctx, node);
      let next: string | undefined;
      if (page.hasMore) {
        const search = new URLSearchParams({ before: auditCursorOf(node.store, page.records.at(-1)!.position) });
        if (query.limitGiven) search.set('limit', String(query.limit));
        next = `${links.conflicts(collection.name)}?${search}`;
      }
      sendHal(
        ctx,
        halDocument({
          properties: { title: `Conflicts of ${collection.title}`, count: records.length },
          links: {
            self: { href: links.current(ctx) },
            [rels.collectionUp]: { href: links.collection(collection.name) },
            [rels.next]: next === undefined ? undefined : { href: next },
          },
          embedded: { [rels.conflict]: records.map((record) => recordInput(ctx, node, collection, record)) },
        }),
      );
    },

    async POST(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const records = await readRecords(ctx, node);
      await refuseUnwritable(ctx, node, collection, records);
      const recorded = await node.store.recordConflicts(collection.name, records);
      sendHal(ctx, halDocument({ properties: { recorded }, links: { self: { href: linker(ctx, node).conflicts(collection.name) } } }));
    },
  };
}

/** One conflict record. */
export function conflictRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const record = await node.store.getConflict(collection.name, conflictIdOf(params));
      const current = record && (await node.store.getItem(collection.name, record.itemId));
      if (!record || !recordVisible(principalOf(ctx), collection, record, current ?? null)) throw notFound(collection, conflictIdOf(params));
      sendHal(
        ctx,
        withTemplates(ctx, halDocument(recordInput(ctx, node, collection, record)), () => conflictTemplates(ctx, node, collection, record, current ?? null)),
      );
    },
  };
}

/**
 * `sync:restore`: POST writes a losing version back as a new origin edit of the item and
 * answers the item (200, or 201 when its tombstone had been purged). Query: `side` (which
 * loser; needed after a merge), `force=true` (restore even over a later edit).
 */
export function restoreRoute(node: ServerNode) {
  return {
    async POST(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const conflictId = conflictIdOf(params);
      const { side, force } = parseRestoreQuery(ctx.query);
      const record = await node.store.getConflict(collection.name, conflictId);
      const current = record && (await node.store.getItem(collection.name, record.itemId));
      // A record the principal may not read is unknown to it, as on GET.
      if (!record || !recordVisible(principalOf(ctx), collection, record, current ?? null)) throw notFound(collection, conflictId);
      const authorize = writeAuthorizer(principalOf(ctx), collection.name);
      const { item, created } = await restoreConflict(node.store, collection.name, conflictId, {
        ...(side === undefined ? {} : { side }),
        force,
        now: node.clock,
        check: (data) => collection.check(data, '/data'),
        channels: (data) => collection.channels(data),
        ...(authorize ? { authorize } : {}),
      });
      const links = linker(ctx, node);
      if (created) ctx.set('Location', links.item(collection.name, item.itemId));
      ctx.set('ETag', `"${item.fingerprint}"`);
      sendHal(ctx, itemDocument(ctx, node, collection, item), created ? 201 : 200);
    },
  };
}

/**
 * The channels a record shows (DESIGN §7): the item's present ones, and those of each version
 * it carries data of (from that data, as the collection reads channels). A record is shown only
 * to a principal that can read all of them; with none to read, only under `*`.
 */
function recordChannels(collection: Collection, record: StoredConflict | ConflictRecord, current: StoredItem | null): string[][] {
  const versions = [record.local, record.remote].filter((v: VersionWithData) => !v.deleted).map((v) => collection.channels(v.data));
  const all = [...(current ? [current.channels] : []), ...versions];
  return all.length > 0 ? all : [[]];
}

function recordVisible(principal: Principal, collection: Collection, record: StoredConflict, current: StoredItem | null): boolean {
  if (readGrant(principal, collection.name) === undefined) return true;
  return recordChannels(collection, record, current).every((channels) => canRead(principal, collection.name, channels));
}

/** The records of a page the principal may read (one read of their items, and only for a scoped principal). */
async function visibleRecords(ctx: Context, node: ServerNode, collection: Collection, records: StoredConflict[]): Promise<StoredConflict[]> {
  const principal = principalOf(ctx);
  if (readGrant(principal, collection.name) === undefined) return records;
  const items = new Map((await node.store.getItems(collection.name, [...new Set(records.map((r) => r.itemId))])).map((item) => [item.itemId, item]));
  return records.filter((record) => recordVisible(principal, collection, record, items.get(record.itemId) ?? null));
}

/** Recording conflicts is a write: the grants must cover the item and every version's channels. */
async function refuseUnwritable(ctx: Context, node: ServerNode, collection: Collection, records: ConflictRecord[]): Promise<void> {
  const authorize = writeAuthorizer(principalOf(ctx), collection.name);
  if (!authorize) return;
  const items = new Map((await node.store.getItems(collection.name, [...new Set(records.map((r) => r.itemId))])).map((item) => [item.itemId, item]));
  const refused = records.flatMap((record, i) => {
    const current = items.get(record.itemId) ?? null;
    const ok =
      (current === null || authorize(current, current.channels)) && recordChannels(collection, record, null).every((channels) => authorize(null, channels));
    return ok ? [] : [{ pointer: `/records/${i}`, detail: 'outside your write grants' }];
  });
  if (refused.length > 0) throw new Forbidden(`${refused.length} record(s) concern items outside your write grants; nothing was recorded`, undefined, refused);
}

function recordInput(ctx: Context, node: ServerNode, collection: Collection, record: StoredConflict): HalInput {
  const links = linker(ctx, node);
  const { position: _position, ...properties } = record;
  const restore = links.restore(collection.name, record.conflictId);
  return {
    properties,
    links: {
      self: { href: links.conflict(collection.name, record.conflictId), title: `${record.rule}: ${record.winner} won on ${record.itemId}` },
      [rels.item]: { href: links.item(collection.name, record.itemId) },
      [rels.collectionUp]: { href: links.collection(collection.name) },
      [rels.restore]: losers(record).map((side: Side) => ({ href: `${restore}?side=${side}`, name: side, title: `Restore the ${side} version` })),
    },
  };
}

function conflictIdOf(params: Record<string, string>): string {
  const id = params['conflictId']!.toLowerCase();
  if (!isItemId(id)) throw new BadRequest(`"${id}" is not a conflict id (a UUID)`, [{ pointer: '/conflictId', detail: 'must be a UUID' }]);
  return id;
}

function notFound(collection: Collection, conflictId: string): NotFound {
  return new NotFound(`collection "${collection.name}" has no conflict record ${conflictId}`);
}

async function readRecords(ctx: Context, node: ServerNode): Promise<ConflictRecord[]> {
  const body = await readJson(ctx, node.bodyLimit);
  const recordsBody = validator('conflict-records');
  if (!recordsBody(body)) throw new ValidationFailed('the body must be { "records": [ conflict records ] }', fieldErrors(recordsBody.errors));
  const records = (body as unknown as { records: ConflictRecord[] }).records.map((r) => ({ ...r, conflictId: r.conflictId.toLowerCase() }));
  // A version's fingerprint must be that of its data, as in a sync log: a restore writes that data.
  const errors: FieldError[] = records.flatMap((record, i) =>
    (['local', 'remote'] as const).flatMap((side) => {
      const v = record[side];
      return fingerprint(v.deleted ? null : v.data) === v.fingerprint && (!v.deleted || v.data === null)
        ? []
        : [{ pointer: `/records/${i}/${side}/fingerprint`, detail: 'does not match data' }];
    }),
  );
  if (errors.length > 0) throw new ValidationFailed('a version whose fingerprint does not match its data', errors);
  return records;
}

function parseQuery(raw: RawQuery, node: ServerNode): { before?: number; limit: number; limitGiven: boolean } {
  const values = queryValues(raw, ['before', 'limit']);
  const query: { before?: number; limit: number; limitGiven: boolean } = { limit: DEFAULT_CONFLICTS_LIMIT, limitGiven: false };
  if (values['before'] !== undefined) query.before = auditPosition(node.store, 'before', values['before']);
  if (values['limit'] !== undefined) {
    query.limit = limitParam(values['limit'], MAX_CONFLICTS_LIMIT);
    query.limitGiven = true;
  }
  return query;
}

function parseRestoreQuery(raw: RawQuery): { side?: Side; force: boolean } {
  const values = queryValues(raw, ['side', 'force']);
  const side = values['side'];
  if (side !== undefined && side !== 'local' && side !== 'remote') throw malformedQuery('side', 'must be local or remote');
  const force = values['force'];
  if (force !== undefined && force !== 'true' && force !== 'false') throw malformedQuery('force', 'must be true or false');
  return { ...(side === undefined ? {} : { side }), force: force === 'true' };
}
