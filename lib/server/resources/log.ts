import type { Context } from 'koa';
import { renderEntryJson, renderRemoval } from '../../protocol/entry.js';
import { rels } from '../../protocol/rels.js';
import { parseDateTime } from '../../protocol/time.js';
import type { ChangesPage, StoredEntry, StoredRemoval } from '../../store/store.js';
import type { Collection } from '../collections.js';
import { collectionOf, linker, sendHalText, type ServerNode } from '../node.js';
import { principalOf, readGrant } from '../principal.js';
import { cursorOf, cursorSeq } from '../cursors.js';
import { halDocument } from '../http/hal.js';
import { limitParam, malformedQuery, queryValues, type RawQuery } from '../http/query.js';
import type { Linker } from '../http/links.js';
import { putSyncLog } from './sync-log.js';
import { waitPreference } from '../http/prefer.js';
import { readWhenChanged } from '../../store/watch.js';
import { beginHold } from '../http/deadline.js';

export const DEFAULT_LIMIT = 1000;
export const MAX_LIMIT = 10000;
export const DEFAULT_MAX_PAGE_SIZE = MAX_LIMIT;

interface LogQuery {
  cursor?: string;
  earliest?: string;
  limit: number;
  limitGiven: boolean;
  embedData: boolean;
}

/** A collection's transaction log: GET reads a page of changes, PUT applies a sync log. */
export function logRoute(node: ServerNode) {
  return {
    async GET(ctx: Context, params: Record<string, string>) {
      const collection = collectionOf(node, params['collection']!, ctx);
      const query = parseQuery(ctx.query, node.maxPageSize);
      // DESIGN §7: a scoped reader's log lists only what its read grant shows, removals included.
      const grant = readGrant(principalOf(ctx), collection.name);
      const after = query.cursor === undefined ? undefined : await cursorSeq(node.store, collection.name, query.cursor, grant);
      const read = (): Promise<ChangesPage<StoredEntry | StoredRemoval>> =>
        node.store.changes(collection.name, {
          limit: query.limit,
          withData: query.embedData,
          // The page is written as text (pageBody): data the store kept as JSON text goes in unparsed.
          dataAsJson: true,
          ...(after === undefined ? {} : { after }),
          // The cursor wins: it is exact, a time is not.
          ...(after === undefined && query.earliest !== undefined ? { recordedSince: query.earliest } : {}),
          ...(grant === undefined ? {} : { channels: grant }),
        });
      const wait = node.store.watch && !node.signal.aborted ? waitPreference(ctx.get('Prefer')) : undefined;
      let page: ChangesPage<StoredEntry | StoredRemoval>;
      if (wait === undefined) page = await read();
      else {
        beginHold(ctx);
        ctx.set('Preference-Applied', `wait=${wait}`);
        page = await readWhenChanged(node.store, collection.name, read, (p) => p.entries.length > 0, {
          ms: wait * 1000,
          signal: heldUntil(ctx, node),
          ...(grant === undefined ? {} : { channels: grant }),
        });
      }
      sendHalText(ctx, pageBody(ctx, node, collection, page, query, grant));
    },
    async PUT(ctx: Context, params: Record<string, string>) {
      await putSyncLog(ctx, node, collectionOf(node, params['collection']!, ctx));
    },
  };
}

/** A held GET ends early when its client goes away or the node closes. */
function heldUntil(ctx: Context, node: ServerNode): AbortSignal {
  const gone = new AbortController();
  ctx.res.once('close', () => gone.abort());
  return AbortSignal.any([gone.signal, node.signal]);
}

/** The page as JSON text: the same document the hal package would give, its entries written out directly. */
function pageBody(
  ctx: Context,
  node: ServerNode,
  collection: Collection,
  page: ChangesPage<StoredEntry | StoredRemoval>,
  query: LogQuery,
  grant: readonly string[] | undefined,
): string {
  const links = linker(ctx, node);
  const checkpoint = cursorOf(node.store, page.checkpoint, grant);
  const doc = halDocument({
    properties: { checkpoint, count: page.entries.length },
    links: {
      self: { href: links.current(ctx) },
      [rels.collectionUp]: { href: links.collection(collection.name) },
      [rels.next]: page.hasMore ? { href: nextHref(links, collection, checkpoint, query) } : undefined,
    },
  });
  // The item template filled once for the page rather than once an entry (a regex replace each),
  // when it names the item once, as every layout does; and quoted as JSON once: what
  // encodeURIComponent gives never needs escaping.
  const parts = links.itemTemplate(collection.name).split('{itemId}');
  const itemHref =
    parts.length === 2 ? (itemId: string) => parts[0] + encodeURIComponent(itemId) + parts[1] : (itemId: string) => links.item(collection.name, itemId);
  const [head, tail] = parts.length === 2 ? [JSON.stringify(parts[0]).slice(0, -1), JSON.stringify(parts[1]).slice(1)] : [];
  const itemHrefJson =
    head !== undefined && tail !== undefined
      ? (itemId: string) => head + encodeURIComponent(itemId) + tail
      : (itemId: string) => JSON.stringify(itemHref(itemId));
  // Entries are written out as text rather than through the hal package (lib/server/http/hal.ts)
  // and JSON.stringify: a page holds up to 10000 of them, and building, serializing and
  // normalizing a hal.Resource for each, then parsing each entry's stored data only to serialize
  // it again, was the server's largest cost in the benchmark (test/bench). Same document exactly.
  const entries = page.entries.map((entry) =>
    'removed' in entry
      ? JSON.stringify(renderRemoval(entry.itemId, itemHref(entry.itemId)))
      : renderEntryJson(entry, itemHrefJson(entry.itemId), query.embedData),
  );
  // `_embedded` comes last (lib/server/http/hal.ts): spliced in before the document's closing brace.
  const document = JSON.stringify(doc);
  return `${document.slice(0, -1)},"_embedded":{${ENTRY_REL}:[${entries.join(',')}]}}`;
}

const ENTRY_REL = JSON.stringify(rels.entry);

function nextHref(links: Linker, collection: Collection, checkpoint: string, query: LogQuery): string {
  const search = new URLSearchParams({ cursor: checkpoint });
  if (query.limitGiven) search.set('limit', String(query.limit));
  if (query.embedData) search.set('embed', 'data');
  return `${links.transactions(collection.name)}?${search}`;
}

function parseQuery(raw: RawQuery, maxLimit: number): LogQuery {
  const values = queryValues(raw, ['earliest', 'cursor', 'limit', 'embed']);
  const query: LogQuery = { limit: Math.min(DEFAULT_LIMIT, maxLimit), limitGiven: false, embedData: false };
  if (values['cursor'] !== undefined) query.cursor = values['cursor'];
  if (values['earliest'] !== undefined) query.earliest = parseEarliest(values['earliest']);
  if (values['limit'] !== undefined) {
    query.limit = limitParam(values['limit'], maxLimit);
    query.limitGiven = true;
  }
  if (values['embed'] !== undefined) {
    if (values['embed'] !== 'data') throw malformedQuery('embed', 'embed can only be "data"');
    query.embedData = true;
  }
  return query;
}

// The store's form, fixed-width UTC, compares as text only for the years 0000-9999.
const FIRST_INSTANT = Date.parse('0000-01-01T00:00:00.000Z');
const LAST_INSTANT = Date.parse('9999-12-31T23:59:59.999Z');

/** Parsed as an instant (lib/protocol/time.ts), then put in the store's form, so it compares as a time. */
function parseEarliest(text: string): string {
  const time = parseDateTime(text);
  if (time === null) throw malformedQuery('earliest', 'earliest must be an RFC 3339 date-time with a time zone, e.g. 2026-01-31T09:00:00.000Z');
  if (time < FIRST_INSTANT || time > LAST_INSTANT) throw malformedQuery('earliest', 'earliest must lie within the years 0000 to 9999 in UTC');
  return new Date(time).toISOString();
}
