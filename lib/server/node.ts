import type { Context } from 'koa';
import { NotFound } from '../protocol/problems.js';
import type { Store } from '../store/store.js';
import type { Collection } from './collections.js';
import type { HalBody } from './http/hal.js';
import type { Jobs } from './resources/job.js';
import { principalOf, seesCollection } from './principal.js';
import { Linker, requestOrigin, type Paths } from './http/links.js';

export const HAL_TYPE = 'application/hal+json';
export const HAL_FORMS_TYPE = 'application/prs.hal-forms+json';

/** What every route of one app shares. */
export interface ServerNode {
  store: Store;
  collections: Map<string, Collection>;
  paths: Paths;
  bodyLimit: number;
  /** Most entries one sync-log PUT may carry (413 `too-many-entries` above). */
  maxEntries: number;
  /** Largest `limit` of a log page (400 above). */
  maxPageSize: number;
  asyncThreshold: number;
  clock: () => Date;
  /** How far past `clock` a sync-log entry's updatedAt may be (422 `clock-skew` beyond). */
  maxClockSkewMs: number;
  jobs: Jobs;
  /** Aborted when the node closes: held log GETs answer at once. */
  signal: AbortSignal;
}

export function linker(ctx: Context, node: ServerNode): Linker {
  return new Linker(requestOrigin(ctx), node.paths);
}

/** The collection a request names; one its principal holds no grant on is as unknown as one that does not exist (DESIGN §7). */
export function collectionOf(node: ServerNode, name: string, ctx: Context): Collection {
  const collection = node.collections.get(name);
  if (!collection || !seesCollection(principalOf(ctx), name)) throw new NotFound(`there is no collection "${name}"`);
  return collection;
}

export function sendHal(ctx: Context, doc: HalBody, status = 200): void {
  ctx.status = status;
  // Type before body: Koa only replaces a type that does not already say json.
  ctx.type = halMediaType(ctx, doc['_templates'] !== undefined);
  ctx.body = doc;
}

/** sendHal for a document its route wrote out as JSON text itself (a log page); one without `_templates`. */
export function sendHalText(ctx: Context, text: string, status = 200): void {
  ctx.status = status;
  // Type before body: a string body would otherwise be sent as text/plain.
  ctx.type = halMediaType(ctx, false);
  ctx.body = text;
}

/**
 * HAL by default; the HAL-FORMS type for a document carrying `_templates` (only given to a
 * client that asked for them); plain `application/json`, the same body, to a client that
 * names JSON and not HAL (generated clients that parse only `application/json` as JSON).
 */
function halMediaType(ctx: Context, forms: boolean): string {
  if (forms) return HAL_FORMS_TYPE;
  return ctx.accepts(HAL_TYPE, 'application/json') === 'application/json' ? 'application/json' : HAL_TYPE;
}

/** A browser asking for a page rather than a client asking for JSON. */
export function prefersHtml(ctx: Context): boolean {
  return ctx.accepts(HAL_TYPE, 'application/json', 'text/html') === 'text/html';
}
