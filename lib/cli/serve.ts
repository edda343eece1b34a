import { readFile } from 'node:fs/promises';
import { openStore } from '../store/open.js';
import { StoreUnavailable, type Store } from '../store/store.js';
import { createApp, type AppOptions } from '../server/app.js';
import { describeRequestError } from '../server/http/client-error.js';
import { listen, type Listening } from '../server/listen.js';
import type { CollectionConfig } from '../server/collections.js';
import { newSqliteFile, removeSqliteFile } from './store-file.js';
import { readConfigFile, readPrincipalsFile } from './config-file.js';

/** `halsync serve`: the options commander hands over. */
export interface ServeOptions {
  port: number;
  host: string;
  store: string;
  collection: string[];
  token?: string;
  /** Read-only tokens (`--read-token`, repeatable; `HALSYNC_READ_TOKEN`, comma-separated). */
  readToken?: string[];
  trustProxy: boolean;
  /** Milliseconds: purge tombstones recorded longer ago than this (none: keep them). */
  tombstoneRetention?: number;
  /** Milliseconds: purge conflict records decided longer ago than this (none: keep them). */
  conflictRetention?: number;
  bodyLimit?: number;
  maxEntries?: number;
  maxPageSize?: number;
  requestTimeout?: number;
  maxActiveJobs?: number;
  /** Milliseconds a sync-log entry's updatedAt may be ahead of this node's clock. */
  maxClockSkew?: number;
  maxInFlightBody?: number;
  /** `--cors ORIGIN` (repeatable, `*`): origins whose pages may call the node. */
  cors?: string[];
  /** `--config F`: a JSON file saying what the flags say; a flag given overrides it. */
  config?: string;
  /** `--principals F`: bearer tokens → principals (DESIGN §7). */
  principals?: string;
  jwtSecret?: string;
  jwks?: string;
  jwtIssuer?: string;
  jwtAudience?: string;
}

/**
 * Runs a node until SIGINT/SIGTERM. Failures to start (a store that cannot open, a taken
 * port, a bad schema file) are one line on stderr and exit code 1, not a stack trace.
 */
export async function runServe(flags: ServeOptions, given: (name: string) => boolean = () => true): Promise<void> {
  let store: Store | undefined;
  let created: string | undefined;
  try {
    const { options, collections: configured } = await withConfigFile(flags, given);
    // A node that fails to start has written nothing: the SQLite file it created goes with it.
    created = newSqliteFile(options.store);
    const collections = configured ?? (await parseCollections(options.collection));
    const access = await accessOptions(options);
    store = await openStore(options.store).catch((err: unknown) => {
      // StoreUnavailable already names the store and the cause.
      throw err instanceof StoreUnavailable ? err : new Error(`cannot open store ${options.store}: ${message(err)}`);
    });
    const app = createApp({ store, collections, ...appOptions(options), ...access });
    app.on('error', (err: unknown) => {
      const line = describeRequestError(err);
      if (line !== null) console.error(`halsync: request failed: ${line}`);
    });
    const node = await listen(app, { port: options.port, host: options.host, jobWaitMs: SHUTDOWN_JOB_WAIT_MS });
    console.log(`halsync serving ${collections.map((c) => c.name).join(', ')} at ${node.url} from ${redacted(options.store)}`);
    stopOnSignal(node, store);
  } catch (err) {
    console.error(`halsync serve: ${message(err)}`);
    await store?.close().catch(() => undefined);
    await removeSqliteFile(created).catch(() => undefined);
    process.exit(1);
  }
}

/**
 * The flags over the `--config` file: a flag the command line gave wins, the file fills in the
 * rest (commander's defaults included: `--port` unset on the command line takes the file's port).
 */
async function withConfigFile(flags: ServeOptions, given: (name: string) => boolean): Promise<{ options: ServeOptions; collections?: CollectionConfig[] }> {
  if (flags.config === undefined) return { options: flags };
  const file = await readConfigFile(flags.config);
  const options: ServeOptions = { ...flags };
  if (!given('port') && file.port !== undefined) options.port = file.port;
  if (!given('host') && file.host !== undefined) options.host = file.host;
  if (!given('store') && file.store !== undefined) options.store = file.store;
  if (!given('token') && file.token !== undefined) options.token = file.token;
  if (!given('readToken') && file.readTokens !== undefined) options.readToken = file.readTokens;
  if ((flags.cors ?? []).length === 0 && file.cors !== undefined) options.cors = file.cors;
  if (flags.principals === undefined && file.principals !== undefined) options.principals = file.principals;
  if (flags.jwtSecret === undefined && flags.jwks === undefined && file.jwt) {
    if (file.jwt.secret !== undefined) options.jwtSecret = file.jwt.secret;
    if (file.jwt.jwks !== undefined) options.jwks = file.jwt.jwks;
  }
  options.jwtIssuer ??= file.jwt?.issuer;
  options.jwtAudience ??= file.jwt?.audience;
  const collections = flags.collection.length === 0 ? file.collections : undefined;
  return collections === undefined ? { options } : { options, collections };
}

/** The principals file and JWT verification, as createApp takes them. */
async function accessOptions(options: ServeOptions): Promise<Pick<AppOptions, 'principals' | 'jwt'>> {
  const key = options.jwtSecret !== undefined ? { secret: options.jwtSecret } : options.jwks !== undefined ? { jwks: options.jwks } : undefined;
  if (key === undefined && (options.jwtIssuer !== undefined || options.jwtAudience !== undefined))
    throw new Error('--jwt-issuer and --jwt-audience need --jwt-secret or --jwks');
  const jwt = key && {
    ...key,
    ...(options.jwtIssuer === undefined ? {} : { issuer: options.jwtIssuer }),
    ...(options.jwtAudience === undefined ? {} : { audience: options.jwtAudience }),
  };
  return {
    ...(options.principals === undefined ? {} : { principals: await readPrincipalsFile(options.principals) }),
    ...(jwt ? { jwt } : {}),
  };
}

/** The flags that map one to one onto createApp's options; unset ones keep the app's defaults. */
function appOptions(options: ServeOptions): Omit<AppOptions, 'store' | 'collections'> {
  const readTokens = (options.readToken ?? [])
    .flatMap((list) => list.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
  const limits = {
    bodyLimit: options.bodyLimit,
    maxEntries: options.maxEntries,
    maxPageSize: options.maxPageSize,
    requestTimeout: options.requestTimeout,
    maxActiveJobs: options.maxActiveJobs,
    maxClockSkewMs: options.maxClockSkew,
    maxInFlightBodyBytes: options.maxInFlightBody,
  };
  return {
    trustProxy: options.trustProxy,
    ...(options.token ? { token: options.token } : {}),
    ...(readTokens.length > 0 ? { auth: readTokens.map((token) => ({ token, scope: 'read' as const })) } : {}),
    ...(options.tombstoneRetention ? { tombstoneRetentionMs: options.tombstoneRetention } : {}),
    ...(options.conflictRetention ? { conflictRetentionMs: options.conflictRetention } : {}),
    ...(options.cors && options.cors.length > 0 ? { cors: options.cors } : {}),
    ...Object.fromEntries(Object.entries(limits).filter(([, value]) => value !== undefined)),
  };
}

/** `name` or `name=schema.json`; none given: one collection, `items`. */
async function parseCollections(specs: string[]): Promise<CollectionConfig[]> {
  if (specs.length === 0) return [{ name: 'items' }];
  return Promise.all(
    specs.map(async (spec) => {
      const at = spec.indexOf('=');
      if (at < 0) return { name: spec };
      const name = spec.slice(0, at);
      const file = spec.slice(at + 1);
      let schema: unknown;
      try {
        schema = JSON.parse(await readFile(file, 'utf8'));
      } catch (err) {
        throw new Error(`collection ${name}: cannot read schema ${file}: ${message(err)}`);
      }
      if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error(`collection ${name}: ${file} is not a JSON Schema object`);
      return { name, schema: schema as Record<string, unknown> };
    }),
  );
}

/** How long a shutdown waits for accepted (202) sync logs to be applied before closing the store anyway. */
const SHUTDOWN_JOB_WAIT_MS = 10_000;

function stopOnSignal(node: Listening, store: Store): void {
  const stop = async (signal: string): Promise<void> => {
    console.log(`halsync: ${signal}, stopping`);
    const { unfinishedJobs } = await node.close();
    if (unfinishedJobs > 0)
      console.error(`halsync: ${unfinishedJobs} accepted sync logs still not applied after ${SHUTDOWN_JOB_WAIT_MS / 1000} s; closing the store anyway`);
    try {
      await store.close();
      process.exit(0);
    } catch (err) {
      console.error(`halsync: closing the store failed: ${message(err)}`);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

/** The store URL as printed: a password in it becomes `***`. */
export function redacted(storeUrl: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(storeUrl)) return storeUrl;
  try {
    const url = new URL(storeUrl);
    if (url.password === '' && !url.searchParams.has('password')) return storeUrl;
    if (url.password !== '') url.password = '***';
    if (url.searchParams.has('password')) url.searchParams.set('password', '***');
    return url.href;
  } catch {
    return storeUrl;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
