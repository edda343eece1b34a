import Koa, { type Context, type Next } from 'koa';
import type { Store } from '../store/store.js';
import { accessTokens, authenticateRequests, hasCredentials, type AccessToken, type Authenticate, type Credentials } from './http/auth.js';
import type { JwtOptions, PrincipalEntry } from './principals.js';
import { NOBODY, type Principal } from './principal.js';
import { BodyBudget, DEFAULT_BODY_LIMIT, DEFAULT_MAX_IN_FLIGHT_BODY_BYTES, setBodyBudget } from './http/body.js';
import { oneHost } from './http/framing.js';
import { browserPage } from './resources/browser.js';
import { DOCS_ASSETS, docsAssetRoute, docsRoute } from './resources/docs.js';
import { faviconRoute } from './resources/favicon.js';
import { collectionRoute } from './resources/collection.js';
import { conflictRoute, conflictsRoute, restoreRoute } from './resources/conflicts.js';
import { compileCollections, type CollectionConfig } from './collections.js';
import { compress } from './http/compress.js';
import { cors } from './http/cors.js';
import { prefersHtml, type ServerNode } from './node.js';
import { DEFAULT_REQUEST_TIMEOUT_MS, requestTimeout } from './http/deadline.js';
import { itemRoute } from './resources/item.js';
import { DEFAULT_MAX_ACTIVE_JOBS, DEFAULT_MAX_JOBS, Jobs, jobRoute } from './resources/job.js';
import { DEFAULT_PATHS, type Paths } from './http/links.js';
import { DEFAULT_MAX_PAGE_SIZE, logRoute } from './resources/log.js';
import { problems } from './http/problem.js';
import { defaultPurgeInterval, schedulePurge } from './retention.js';
import { relRoute } from './resources/rels.js';
import { rootRoute } from './resources/root.js';
import { routing, type Handlers } from './http/routing.js';
import { openapiRoute, schemaRoute } from './resources/schemas.js';
import { validator } from '../protocol/schemas.js';

export interface AppOptions {
  store: Store;
  /** Default: one collection, `items`, accepting any JSON object as data. */
  collections?: CollectionConfig[];
  /** Build links from X-Forwarded-Host/-Proto (only behind a proxy that sets them). */
  trustProxy?: boolean;
  /** Where each resource lives; see DEFAULT_PATHS. */
  paths?: Partial<Paths>;
  /** Sync logs with more entries than this are applied as a job (202). */
  asyncThreshold?: number;
  /** Largest request body in bytes (default 10 MiB). */
  bodyLimit?: number;
  /** Bytes of request bodies all requests may hold at once, at least bodyLimit (503 `overloaded` beyond; default 100 MiB). */
  maxInFlightBodyBytes?: number;
  /** The clock origin writes are stamped from. */
  clock?: () => Date;
  /** How far (ms) past this node's clock a sync-log entry's `updatedAt` may be (422 `clock-skew` beyond; default 5 min). */
  maxClockSkewMs?: number;
  /** When set, every request must carry `Authorization: Bearer <token>` (a read-write token). */
  token?: string;
  /** Tokens the node accepts, each `read` (GET/HEAD/OPTIONS) or `write` (everything); with `token`, one more `write` token. */
  auth?: readonly AccessToken[];
  /** Bearer tokens of scoped principals (a principals file's content, DESIGN §7). */
  principals?: Readonly<Record<string, PrincipalEntry>> | ReadonlyMap<string, PrincipalEntry>;
  /** Accept JWT bearers verified with this secret (HS256) or key set (RS256, ES256): `sub` the id, claim `halsync` the grants. */
  jwt?: JwtOptions;
  /**
   * The application's own authentication, tried before the tokens: the request's principal,
   * or null (then the tokens, and without a match 401). Setting it protects the node.
   */
  authenticate?: Authenticate;
  /** How many async jobs are remembered. */
  maxJobs?: number;
  /** Aborting it ends the node's long-running work: held log GETs (`Prefer: wait`) answer at once, the purge stops. */
  signal?: AbortSignal;
  /** Tombstones this node recorded longer ago than this (ms) are purged periodically; none: kept forever. */
  tombstoneRetentionMs?: number;
  /** Conflict records decided longer ago than this (ms) are purged periodically; none: kept forever. */
  conflictRetentionMs?: number;
  /** How often the purge runs (default: a tenth of the shorter retention, within [1 s, 1 h]). */
  purgeIntervalMs?: number;
  /** Jobs pending or running at once before a sync-log PUT that would start one is refused (503 `too-many-jobs`; default 16). */
  maxActiveJobs?: number;
  /** Most entries in one sync-log PUT (413 `too-many-entries`; default 50000). */
  maxEntries?: number;
  /** Largest `limit` of a log page (default 10000). */
  maxPageSize?: number;
  /** Milliseconds a request may take before it starts writing (503 `request-timeout`; default 30000, 0: none). */
  requestTimeout?: number;
  /** Origins whose pages may call the node (`*`: any); none: no CORS headers at all. */
  cors?: readonly string[];
}

export const DEFAULT_ASYNC_THRESHOLD = 10_000;
// As Kerberos tolerates: wide enough for clocks kept by NTP, narrow enough that no wrong clock wins for long.
export const DEFAULT_MAX_CLOCK_SKEW_MS = 5 * 60_000;
// Above the async threshold (so large logs still become jobs), below what 10 MiB of minimal entries can carry.
export const DEFAULT_MAX_ENTRIES = 50_000;

// Each template must name the variables its links are built from.
const REQUIRED_VARIABLES: Record<keyof Paths, string[]> = {
  root: [],
  collection: ['collection'],
  transactions: ['collection'],
  item: ['collection', 'itemId'],
  job: ['jobId'],
  rel: ['rel'],
  schema: ['collection'],
  openapi: [],
  docs: [],
  conflicts: ['collection'],
  conflict: ['collection', 'conflictId'],
  restore: ['collection', 'conflictId'],
};

/** What shutdownApp needs of each app: the Koa app is what createApp's callers hold. */
const running = new WeakMap<Koa, { jobs: Jobs; stop: AbortController; root: string }>();

/** The path of the app's API root (`paths.root`). */
export function rootPath(app: Koa): string {
  return running.get(app)?.root ?? DEFAULT_PATHS.root;
}

/**
 * Ends the app's long-running work (held log GETs answer at once, the purge stops) and waits
 * (at most `timeoutMs`) until it has no pending or running sync-log job: a 202 promised the
 * sync log would be applied. Answers how many were still active then. Call it before closing
 * the store; `listen(…).close()` does.
 */
export function shutdownApp(app: Koa, timeoutMs: number): Promise<number> {
  const state = running.get(app);
  if (!state) return Promise.resolve(0);
  state.stop.abort();
  return state.jobs.settled(timeoutMs);
}

/** The Koa app of one node: its collections, their logs and items, over one store. */
export function createApp(options: AppOptions): Koa {
  const paths = resolvePaths(options.paths);
  // The messages a node checks on writes are compiled now rather than on the first write that
  // needs them: compiling the sync log's schema took about 100 ms, which a first sync's first
  // page waited for.
  for (const message of ['sync-log', 'item-write', 'conflict-records'] as const) validator(message);
  // Koa compares every body it is given with ReadableStream, Blob and Response, which Node
  // defines lazily: the first touch of Response loads fetch's implementation (≈ 25 ms), and the
  // first request, a sync's first page, would wait for it. Touched now, at start-up.
  void [globalThis.ReadableStream, globalThis.Blob, globalThis.Response];
  const stop = new AbortController();
  const node: ServerNode = {
    store: options.store,
    collections: compileCollections(options.collections ?? [{ name: 'items' }], reservedNames(paths)),
    paths,
    bodyLimit: positive('bodyLimit', options.bodyLimit ?? DEFAULT_BODY_LIMIT),
    maxEntries: positive('maxEntries', options.maxEntries ?? DEFAULT_MAX_ENTRIES),
    maxPageSize: positive('maxPageSize', options.maxPageSize ?? DEFAULT_MAX_PAGE_SIZE),
    asyncThreshold: options.asyncThreshold ?? DEFAULT_ASYNC_THRESHOLD,
    clock: options.clock ?? (() => new Date()),
    maxClockSkewMs: nonNegative('maxClockSkewMs', options.maxClockSkewMs ?? DEFAULT_MAX_CLOCK_SKEW_MS),
    jobs: new Jobs(options.maxJobs ?? DEFAULT_MAX_JOBS, positive('maxActiveJobs', options.maxActiveJobs ?? DEFAULT_MAX_ACTIVE_JOBS)),
    signal: options.signal ? AbortSignal.any([options.signal, stop.signal]) : stop.signal,
  };
  const timeout = options.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!Number.isInteger(timeout) || timeout < 0) throw new Error(`requestTimeout must be a whole number of milliseconds (0: none), not ${timeout}`);
  const credentials: Credentials = {
    tokens: accessTokens(options.token, options.auth),
    ...(options.principals === undefined
      ? {}
      : { principals: options.principals instanceof Map ? options.principals : new Map(Object.entries(options.principals)) }),
    ...(options.jwt === undefined ? {} : { jwt: options.jwt }),
    ...(options.authenticate === undefined ? {} : { authenticate: options.authenticate }),
  };
  const page = browserPage(paths);
  const browsable = (handlers: Handlers) => withBrowserPage(handlers, page);
  const router = routing([
    [paths.root, browsable(rootRoute(node))],
    [paths.collection, browsable(collectionRoute(node))],
    [paths.transactions, browsable(logRoute(node))],
    [paths.item, browsable(itemRoute(node))],
    [paths.job, browsable(jobRoute(node))],
    [paths.rel, relRoute(paths)],
    [paths.schema, browsable(schemaRoute(node))],
    [paths.openapi, browsable(openapiRoute(node))],
    [paths.docs, docsRoute(paths)],
    ...Object.keys(DOCS_ASSETS).map((asset) => [`${paths.docs}/${asset}`, docsAssetRoute(asset)] as const),
    ['/favicon.ico', faviconRoute()],
    [paths.conflicts, browsable(conflictsRoute(node))],
    [paths.conflict, browsable(conflictRoute(node))],
    [paths.restore, restoreRoute(node)],
  ]);

  const inFlight = positive('maxInFlightBodyBytes', options.maxInFlightBodyBytes ?? Math.max(DEFAULT_MAX_IN_FLIGHT_BODY_BYTES, node.bodyLimit));
  if (inFlight < node.bodyLimit) throw new Error(`maxInFlightBodyBytes (${inFlight}) must be at least bodyLimit (${node.bodyLimit})`);
  const app = new Koa();
  running.set(app, { jobs: node.jobs, stop, root: paths.root });
  setBodyBudget(app, new BodyBudget(inFlight));
  app.proxy = options.trustProxy ?? false;
  // First: a preflight is answered before authentication, which it never carries.
  if (options.cors && options.cors.length > 0) app.use(cors(options.cors));
  app.use(compress);
  app.use(problems);
  app.use(oneHost);
  app.use(varyOnAccept);
  // With scoped principals a stranger may learn no collection's name; with tokens only, there is nothing to keep apart.
  const scoped = (credentials.principals?.size ?? 0) > 0 || credentials.jwt !== undefined || credentials.authenticate !== undefined;
  if (hasCredentials(credentials)) app.use(unlessPublic(publicPages(paths), authenticateRequests(credentials), scoped));
  if (timeout > 0) app.use(requestTimeout(timeout));
  app.use(router);
  const retentions = [options.tombstoneRetentionMs, options.conflictRetentionMs].filter((ms) => ms !== undefined);
  if (retentions.length > 0) {
    schedulePurge({
      store: node.store,
      collections: [...node.collections.keys()],
      ...(options.tombstoneRetentionMs === undefined ? {} : { tombstoneRetentionMs: options.tombstoneRetentionMs }),
      ...(options.conflictRetentionMs === undefined ? {} : { conflictRetentionMs: options.conflictRetentionMs }),
      intervalMs: options.purgeIntervalMs ?? defaultPurgeInterval(Math.min(...retentions)),
      clock: node.clock,
      signal: node.signal,
      onError: (error) => app.emit('error', error),
    });
  }
  return app;
}

/**
 * What holds no data and is served to anyone, tokens or not (DESIGN §7): the HTML browser page
 * (any GET that prefers HTML; the data it then fetches is authenticated), the `/rels` pages,
 * the OpenAPI document, the API reference and its assets, and the icon.
 */
function publicPages(paths: Paths): (ctx: Context) => boolean {
  const pattern = (template: string) =>
    new RegExp(
      `^${template
        .split(/(\{\w+\})/)
        .map((part) => (/^\{\w+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('')}$`,
    );
  const open = [paths.rel, paths.openapi, paths.docs, ...Object.keys(DOCS_ASSETS).map((a) => `${paths.docs}/${a}`), '/favicon.ico'].map(pattern);
  return (ctx) => (ctx.method === 'GET' || ctx.method === 'HEAD') && (prefersHtml(ctx) || open.some((p) => p.test(ctx.path)));
}

function unlessPublic(isPublic: (ctx: Context) => boolean, guard: (ctx: Context, next: Next) => Promise<void>, scoped: boolean) {
  return (ctx: Context, next: Next) => {
    if (!isPublic(ctx)) return guard(ctx, next);
    // Unauthenticated on a node with scoped principals: a public page speaks for nobody, so the
    // node's OpenAPI document names no collection there (DESIGN §7: another's collection is unknown).
    if (scoped) (ctx.state as { principal?: Principal }).principal = NOBODY;
    return next();
  };
}

async function varyOnAccept(ctx: Context, next: Next): Promise<void> {
  if (ctx.method === 'GET' || ctx.method === 'HEAD') ctx.vary('Accept');
  await next();
}

/** A browser asking for any resource gets the HAL browser, which then reads it as JSON. */
function withBrowserPage(handlers: Handlers, page: string): Handlers {
  const get = handlers.GET;
  if (!get) return handlers;
  return {
    ...handlers,
    async GET(ctx, params) {
      if (!prefersHtml(ctx)) return get(ctx, params);
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page;
    },
  };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of milliseconds, not ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, not ${value}`);
  return value;
}

/**
 * The first segments of the other resources' paths (`jobs`, `rels`, `schemas`, `openapi` by
 * default) when collections sit at the first segment: a collection of that name could never be reached.
 */
function reservedNames(paths: Paths): Set<string> {
  const reserved = new Set<string>();
  if (!paths.collection.startsWith('/{collection}')) return reserved;
  // Browsers ask for /favicon.ico whatever the paths say.
  reserved.add('favicon.ico');
  for (const key of ['job', 'rel', 'schema', 'openapi', 'docs'] as const) {
    const first = paths[key].split('/')[1] ?? '';
    if (first && !first.includes('{')) reserved.add(first);
  }
  return reserved;
}

function resolvePaths(given: Partial<Paths> = {}): Paths {
  const paths = { ...DEFAULT_PATHS, ...given };
  for (const [key, template] of Object.entries(paths) as Array<[keyof Paths, string]>) {
    if (!template.startsWith('/')) throw new Error(`paths.${key} must start with "/": ${template}`);
    const names = [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    for (const name of REQUIRED_VARIABLES[key]) {
      if (!names.includes(name)) throw new Error(`paths.${key} must contain {${name}}: ${template}`);
    }
  }
  return paths;
}
