import type { Context } from 'koa';
import { ALL_CHANNELS, visibleUnder } from '../protocol/channels.js';
import type { StoredItem } from '../store/store.js';

/**
 * Who a request speaks for, and what its grants let it see and change (DESIGN §7). Every
 * request is authenticated to one principal before any resource runs (lib/server/http/auth.ts
 * puts it on `ctx.state.principal`); resources ask the questions below and never look at
 * tokens themselves.
 */
export interface Grant {
  /** Channels whose items this principal reads; `*` matches every channel and items with none. */
  read: readonly string[];
  /** Channels whose items this principal may write (every channel an item has now and will have). */
  write: readonly string[];
}

export interface Principal {
  /** Stable id: `admin`, `reader`, `anonymous`, a principals file's `id`, a JWT's `sub`. */
  id: string;
  /**
   * `all`: reads and writes everything (the administrator `--token`, or a node with no
   * credentials); `read-all`: reads everything, writes nothing (`--read-token`); `scoped`:
   * exactly what `grants` say, per collection.
   */
  kind: 'all' | 'read-all' | 'scoped';
  /** Per collection name; a collection without an entry is invisible to a scoped principal (404). */
  grants: Readonly<Record<string, Grant>>;
}

/** A node without credentials serves everyone as this one. */
export const ANONYMOUS: Principal = Object.freeze({ id: 'anonymous', kind: 'all', grants: {} });

export function principalOf(ctx: Context): Principal {
  return (ctx.state as { principal?: Principal }).principal ?? ANONYMOUS;
}

/** Whether the principal may know the collection exists at all (the root lists it; otherwise 404). */
export function seesCollection(principal: Principal, collection: string): boolean {
  return principal.kind !== 'scoped' || Object.hasOwn(principal.grants, collection);
}

/**
 * The read grant to scope a collection's log and items by: `undefined` means unscoped (every
 * item, the store's plain log), an array is the channels a store's scoped query takes.
 */
export function readGrant(principal: Principal, collection: string): readonly string[] | undefined {
  if (principal.kind !== 'scoped') return undefined;
  return Object.hasOwn(principal.grants, collection) ? principal.grants[collection]!.read : [];
}

/** The channels the principal may write in a collection: `undefined` means every channel, `[]` none. */
export function writeGrant(principal: Principal, collection: string): readonly string[] | undefined {
  if (principal.kind === 'all') return undefined;
  if (principal.kind === 'read-all') return [];
  return Object.hasOwn(principal.grants, collection) ? principal.grants[collection]!.write : [];
}

/** Whether a grant (`undefined`: unlimited) covers every one of `channels` (an item without channels needs `*`). */
export function grantCovers(grant: readonly string[] | undefined, channels: readonly string[]): boolean {
  if (grant === undefined || grant.includes(ALL_CHANNELS)) return true;
  if (channels.length === 0) return false;
  return channels.every((channel) => grant.includes(channel));
}

/** Whether a version with `channels` is in the principal's read view of the collection. */
export function canRead(principal: Principal, collection: string, channels: readonly string[]): boolean {
  const grant = readGrant(principal, collection);
  return grant === undefined || visibleUnder(channels, grant);
}

/**
 * The store's `authorize` for the principal's writes to a collection (undefined: it may write
 * everything): a write grant must cover every channel the item has now and every one it will have.
 */
export function writeAuthorizer(principal: Principal, collection: string): ((current: StoredItem | null, channels: readonly string[]) => boolean) | undefined {
  const grant = writeGrant(principal, collection);
  if (grant === undefined) return undefined;
  return (current, channels) => (current === null || grantCovers(grant, current.channels)) && grantCovers(grant, channels);
}
