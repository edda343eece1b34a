import { fingerprint, TOMBSTONE_FINGERPRINT } from './fingerprint.js';
import { isItemId } from './ids.js';
import { findJsonFlaw } from './json.js';
import type { FieldError } from './problems.js';
import { rels } from './rels.js';
import { isIsoTimestamp } from './time.js';
import type { Json, LogEntry, SyncEntry } from './types.js';
import { versionOf } from './version.js';

/**
 * The transaction log entry (DESIGN §2): the one owner of its wire shape, of the rules a
 * received entry must meet, and of its conversion into a store write. A node renders entries
 * with `renderEntry`, a client reads them with `parseEntry`, and both sides turn a sync-log
 * entry into a write with `toWrite`, so the two ends cannot drift apart.
 */

const FINGERPRINT = /^[0-9a-f]{40}$/;
/** A fingerprint: 40 lowercase hex digits (SHA-1). */
export function isFingerprint(text: string): boolean {
  return FINGERPRINT.test(text);
}

/**
 * The JSON Pointer of the first string (value or key) in `value` holding a lone surrogate, or
 * undefined: lib/protocol/json.ts's walk, without its depth limit (a received version's data).
 */
export function loneSurrogateAt(value: unknown, pointer = ''): string | undefined {
  const flaw = findJsonFlaw(value as Json, Infinity);
  return flaw?.kind === 'surrogate' ? `${pointer}${flaw.pointer}` : undefined;
}

/** A log entry as a node lists it and a client reads it: the version, where the item is, its data when embedded. */
export interface ListedEntry extends LogEntry {
  itemURI?: string;
}

/** The wire form of one entry of a log page (spec/log-entry.schema.json). */
export function renderEntry(entry: LogEntry, itemURI: string, embedData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { itemId: entry.itemId, ...versionOf(entry), itemURI };
  if (embedData) out['data'] = entry.data ?? null;
  // No `self` (DESIGN §1): an entry is a partial view, and clients that cache by `self` would serve it for the item.
  out['_links'] = { [rels.item]: { href: itemURI } };
  return out;
}

/**
 * renderEntry's output as JSON text: exactly JSON.stringify(renderEntry(entry, itemURI, embedData)),
 * given `itemURIJson`, JSON.stringify(itemURI), except that `dataJson`, when given, is data already
 * as JSON text and goes in as it is. A log page is a thousand entries: written out field by field
 * (the page quotes its item URI template once), and with the data its store kept as text never
 * parsed and serialized again, it costs a fraction of building and stringifying objects.
 * `dataJson` must be the JSON text of one value (the store's own, never a client's unread text).
 */
export function renderEntryJson(entry: LogEntry & { dataJson?: string }, itemURIJson: string, embedData: boolean): string {
  const data = embedData ? `,"data":${entry.dataJson ?? JSON.stringify(entry.data ?? null)}` : '';
  return (
    `{"itemId":${JSON.stringify(entry.itemId)},"updatedAt":${JSON.stringify(entry.updatedAt)},"fingerprint":${JSON.stringify(entry.fingerprint)}` +
    `,"deleted":${entry.deleted ? 'true' : 'false'},"itemURI":${itemURIJson}${data},"_links":{${ITEM_REL}:{"href":${itemURIJson}}}}`
  );
}

const ITEM_REL = JSON.stringify(rels.item);

/**
 * The wire form of a removal entry of a scoped log (DESIGN §2, §7): which item left this reader's
 * view, and where it is; not when, why, nor its version.
 */
export function renderRemoval(itemId: string, itemURI: string): Record<string, unknown> {
  return { itemId, removed: true, itemURI, _links: { [rels.item]: { href: itemURI } } };
}

/** An entry (or an item) a node sent that breaks the protocol's rules; `itemId` when it had a readable one. */
export class InvalidEntry extends Error {
  constructor(
    readonly itemId: string | undefined,
    readonly errors: readonly FieldError[],
  ) {
    super(errors.map((e) => `${e.pointer || '/'} ${e.detail}`).join('; '));
    this.name = 'InvalidEntry';
  }
}

/**
 * Reads one received entry with the rules a node applies to a sync-log PUT: a UUID `itemId`,
 * a timestamp in the one grammar, a well-formed fingerprint that is the tombstone's for a
 * deletion and that of `data` when data is embedded, and no lone surrogate anywhere (canonical
 * JSON has no form for one). Throws InvalidEntry; `itemURI` is left to the caller (it resolves links).
 */
export function parseEntry(body: Record<string, unknown>): LogEntry {
  const itemId = typeof body.itemId === 'string' && isItemId(body.itemId) ? body.itemId.toLowerCase() : undefined;
  const errors: FieldError[] = [];
  if (itemId === undefined) errors.push({ pointer: '/itemId', detail: 'must be a UUID' });
  const version = checkVersion(body, errors);
  if ('data' in body) errors.push(...checkData(body.data as Json, version));
  if (errors.length > 0 || !version || itemId === undefined) throw new InvalidEntry(shownId(body.itemId), errors);
  // A literal, not a spread of `version`: the client reads every entry of every page through here.
  const entry: LogEntry = { itemId, updatedAt: version.updatedAt, fingerprint: version.fingerprint, deleted: version.deleted };
  if ('data' in body) entry.data = version.deleted ? null : (body.data as Json);
  return entry;
}

/**
 * Checks the version and data of a fetched item: the same rules, and its fingerprint recomputed
 * from its data. Returns the errors (empty: it is sound).
 */
export function checkItem(body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = [];
  const version = checkVersion(body, errors);
  if (!('data' in body)) errors.push({ pointer: '/data', detail: 'required field is missing' });
  else errors.push(...checkData(body.data as Json, version));
  return errors;
}

function checkVersion(body: Record<string, unknown>, errors: FieldError[]): { updatedAt: string; fingerprint: string; deleted: boolean } | undefined {
  const before = errors.length;
  const { updatedAt, fingerprint: print, deleted } = body;
  if (typeof updatedAt !== 'string' || !isIsoTimestamp(updatedAt))
    errors.push({ pointer: '/updatedAt', detail: 'must be a timestamp YYYY-MM-DDTHH:MM:SS.sssZ' });
  if (typeof print !== 'string' || !isFingerprint(print)) errors.push({ pointer: '/fingerprint', detail: 'must be 40 lowercase hex digits' });
  if (typeof deleted !== 'boolean') errors.push({ pointer: '/deleted', detail: 'must be a boolean' });
  else if (deleted && print !== TOMBSTONE_FINGERPRINT) errors.push({ pointer: '/fingerprint', detail: 'a tombstone has the fingerprint of null' });
  if (errors.length > before) return undefined;
  return { updatedAt: updatedAt as string, fingerprint: print as string, deleted: deleted as boolean };
}

function checkData(data: Json, version: { fingerprint: string; deleted: boolean } | undefined): FieldError[] {
  if (!version || (version.deleted && data !== null)) {
    const surrogate = surrogateError(data);
    if (surrogate.length > 0 || !version) return surrogate;
    return [{ pointer: '/data', detail: 'a tombstone has data: null' }];
  }
  // Canonical JSON refuses a lone surrogate (and a number out of range) by throwing: the walk
  // that names where it is runs only then, not once a received version.
  let print: string;
  try {
    print = fingerprint(version.deleted ? null : data);
  } catch {
    const surrogate = surrogateError(data);
    return surrogate.length > 0 ? surrogate : [{ pointer: '/data', detail: 'has no canonical JSON form (a number out of range)' }];
  }
  if (print !== version.fingerprint) return [{ pointer: '/fingerprint', detail: 'does not match the fingerprint of data' }];
  return [];
}

function surrogateError(data: Json): FieldError[] {
  const surrogate = loneSurrogateAt(data, '/data');
  return surrogate === undefined ? [] : [{ pointer: surrogate, detail: 'holds a lone surrogate (not Unicode text)' }];
}

/** An id fit to show in a message: a short, printable prefix of whatever was sent. */
function shownId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const text = JSON.stringify(value.slice(0, 60));
  return text.slice(1, -1);
}

/** What a write must find; the store's Precondition has these kinds among others. */
export type EntryPrecondition = { kind: 'base'; fingerprint: string | null } | { kind: 'unchanged-since'; seq: number };

/** A sync-log entry as a store write (lib/store's Write takes it as it is). */
export interface EntryWrite {
  itemId: string;
  deleted: boolean;
  data: Json;
  fingerprint: string;
  updatedAt: string;
  precondition: EntryPrecondition;
  /** The channels the collection finds in the entry's data (lib/protocol/channels.ts); absent: none given. */
  channels?: readonly string[];
  /** canonicalJson(data), when the caller computed it to check the fingerprint (the store's Write.dataJson). */
  dataJson?: string;
}

/**
 * One sync log entry as a store write, the same for a node (the PUT) and a local replica. An
 * entry with `base` applies only over that fingerprint; one without only when the store has
 * recorded nothing about the item after `since`, the seq the log's own `since` names.
 * `channels`: those the collection finds in the entry's data (the store's Write.channels);
 * `itemId`: the entry's, spelled as the store keys it.
 */
export function toWrite(entry: SyncEntry, since: number | undefined, channels?: readonly string[], itemId = entry.itemId): EntryWrite {
  // One literal of one shape, no spreads: a node makes one per entry of every PUT, and building
  // it by spreading cost as much as checking the entry's fingerprint.
  const write: EntryWrite = {
    itemId,
    deleted: entry.deleted,
    data: entry.deleted ? null : entry.data,
    fingerprint: entry.fingerprint,
    updatedAt: entry.updatedAt,
    precondition: entry.base !== undefined ? { kind: 'base', fingerprint: entry.base } : { kind: 'unchanged-since', seq: since ?? 0 },
  };
  if (channels !== undefined) write.channels = channels;
  return write;
}
