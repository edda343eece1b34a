import type { Context } from 'koa';
import { isItemId } from '../../protocol/ids.js';
import { canonicalJson, sha1Hex } from '../../protocol/fingerprint.js';
import { ClockSkew, Forbidden, HalsyncError, PayloadTooLarge, SyncRejected, ValidationFailed, type FieldError } from '../../protocol/problems.js';
import { toIso } from '../../protocol/time.js';
import { canRead, principalOf, readGrant, writeAuthorizer, type Principal } from '../principal.js';
import { fieldErrors, validator } from '../../protocol/schemas.js';
import type { Mismatch, SyncLog, SyncResult } from '../../protocol/types.js';
import { toWrite } from '../../protocol/entry.js';
import { versionWithData } from '../../protocol/version.js';
import type { Write } from '../../store/store.js';
import { readJson } from '../http/body.js';
import type { Collection } from '../collections.js';
import { linker, sendHal, type ServerNode } from '../node.js';
import { cursorOf, cursorSeq, isCursor } from '../cursors.js';
import { beginWrite } from '../http/deadline.js';
import { halDocument } from '../http/hal.js';
import { jobDocument } from './job.js';
import type { Linker } from '../http/links.js';

/** A sync log checked in full and ready for the store: nothing about it can fail but the store. */
interface CheckedLog {
  writes: Write[];
  since?: number;
  /** The writer's read grant on the collection (undefined: unscoped): its cursors are issued under it. */
  grant?: readonly string[];
}

/**
 * PUT on a transaction log. What cannot be a sync log at all (not JSON, the wrong media type,
 * too large) is refused at once. A log that is applied as a job (`Prefer: respond-async`, or
 * more entries than the threshold) is checked inside the job: its `problem` is then the 422
 * (or 409, 410) a synchronous call would have given, as the design's job resource says.
 */
export async function putSyncLog(ctx: Context, node: ServerNode, collection: Collection): Promise<void> {
  const body = await readJson(ctx, node.bodyLimit);
  const count = countEntries(body);
  // Before the schema and per-entry checks, whose cost grows with the count.
  if (count > node.maxEntries)
    throw new PayloadTooLarge(`the sync log has ${count} entries; this node takes at most ${node.maxEntries} per PUT`, 'too-many-entries');
  const links = linker(ctx, node);
  const grant = readGrant(principalOf(ctx), collection.name);
  const asked = prefersAsync(ctx.get('Prefer'));
  if (asked || count > node.asyncThreshold) {
    node.jobs.checkCapacity();
    beginWrite(ctx);
    const principal = principalOf(ctx);
    const work = async () => applySyncLog(node, collection, await checkSyncLog(node, collection, body, grant), links, principal);
    const job = node.jobs.start(collection.name, principal.id, ctx.path + ctx.search, work, (err) => ctx.app.emit('error', err, ctx));
    if (asked) ctx.set('Preference-Applied', 'respond-async');
    ctx.set('Location', links.job(job.id));
    sendHal(ctx, jobDocument(links, job, true), 202);
    return;
  }
  const log = await checkSyncLog(node, collection, body, grant);
  // From here the log is applied: the request can no longer time out.
  beginWrite(ctx);
  const result = await applySyncLog(node, collection, log, links, principalOf(ctx));
  if (result instanceof HalsyncError) throw result;
  sendHal(ctx, result);
}

/**
 * The 200 body, or the 403 or 409 problem; never throws for a refused grant or precondition.
 * Grants are checked in the store's transaction before any precondition (DESIGN §7), so a 409
 * concerns only items the principal may write; its `current` is still shown only when readable.
 */
export async function applySyncLog(node: ServerNode, collection: Collection, log: CheckedLog, links: Linker, principal: Principal) {
  const authorize = writeAuthorizer(principal, collection.name);
  const outcome = await node.store.apply(collection.name, log.writes, {
    now: node.clock,
    ...(log.since === undefined ? {} : { since: log.since }),
    ...(authorize ? { authorize } : {}),
  });
  if (!outcome.ok && outcome.forbidden) {
    const refused = outcome.forbidden.map((i) => ({ pointer: `/entries/${i}`, detail: 'outside your write grants' }));
    return new Forbidden(
      `${refused.length} entr${refused.length === 1 ? 'y writes an item' : 'ies write items'} outside your write grants; nothing was applied`,
      undefined,
      refused,
    );
  }
  if (!outcome.ok) {
    const mismatches: Mismatch[] = outcome.mismatches.map((c) => {
      const shown = c.current && canRead(principal, collection.name, c.current.channels) ? c.current : null;
      return { itemId: c.itemId, expected: c.expected, actual: shown ? c.actual : null, current: shown && versionWithData(shown) };
    });
    const ids = mismatches.map((c) => c.itemId).join(', ');
    return new SyncRejected(`${mismatches.length} item(s) changed on this node since the client read its log (${ids}); nothing was applied`, mismatches);
  }
  const checkpoint = log.grant === undefined ? outcome.checkpoint : await scopedCheckpoint(node, collection, log, log.grant, outcome.checkpoint);
  const result: SyncResult = { applied: outcome.applied, checkpoint: cursorOf(node.store, checkpoint, log.grant) };
  return halDocument({ properties: { ...result }, links: { self: { href: links.transactions(collection.name) } } });
}

/**
 * DESIGN §2's `since` rule in a scoped reader's log: when its log after `since` lists nothing
 * but this PUT's own versions, the checkpoint is that log's present end, so the client does not
 * pull its own pushes back; otherwise `since` itself. The node's seqs cannot decide it: other
 * readers' changes interleave with this PUT's, and skipping those is right only because this
 * reader cannot see them, which only its scoped log can tell. A removal is never its own
 * version: the client must read it to drop its copy. Without `since` the checkpoint is the
 * store's (before the apply), which skips nothing; with `since` 0 too, since a read from the
 * start lists no removals, so an own item someone else took out of view would go unseen.
 */
async function scopedCheckpoint(node: ServerNode, collection: Collection, log: CheckedLog, grant: readonly string[], stored: number): Promise<number> {
  const since = log.since;
  if (since === undefined) return stored;
  if (since === 0) return since;
  const own = new Map(log.writes.map((w) => [w.itemId, w]));
  const page = await node.store.changes(collection.name, { after: since, limit: log.writes.length + 1, withData: false, channels: grant });
  if (page.hasMore) return since;
  const onlyOwn = page.entries.every((entry) => {
    if ('removed' in entry) return false;
    const write = own.get(entry.itemId);
    return write !== undefined && write.fingerprint === entry.fingerprint && write.deleted === entry.deleted;
  });
  return onlyOwn ? page.checkpoint : since;
}

async function checkSyncLog(node: ServerNode, collection: Collection, body: unknown, grant: readonly string[] | undefined): Promise<CheckedLog> {
  const syncLogSchema = validator('sync-log');
  if (!syncLogSchema(body)) throw new ValidationFailed('the body is not a sync log', fieldErrors(syncLogSchema.errors));
  const log = body as SyncLog;
  const errors: FieldError[] = [];
  const seen = new Map<string, number>();
  // Each entry's canonical text, computed once: checked against its fingerprint here, written as the row's text by the store.
  const texts: string[] = [];
  log.entries.forEach((entry, i) => {
    const at = `/entries/${i}`;
    if (entry.deleted && entry.data !== null) errors.push({ pointer: `${at}/data`, detail: 'a tombstone has data: null' });
    if (!entry.deleted) errors.push(...collection.check(entry.data, `${at}/data`));
    const text = (texts[i] = canonicalJson(entry.data));
    if (entry.fingerprint !== sha1Hex(text)) errors.push({ pointer: `${at}/fingerprint`, detail: 'does not match the fingerprint of data' });
    // ajv's uuid format also takes "urn:uuid:" and upper case; an item has one spelling only.
    if (!isItemId(entry.itemId)) errors.push({ pointer: `${at}/itemId`, detail: 'must be a UUID' });
    const first = seen.get(entry.itemId.toLowerCase());
    if (first !== undefined) errors.push({ pointer: `${at}/itemId`, detail: `the same item as /entries/${first}` });
    else seen.set(entry.itemId.toLowerCase(), i);
    if (entry.base === undefined && log.since === undefined)
      errors.push({ pointer: `${at}/base`, detail: 'an entry without base needs the log to carry since' });
  });
  if (log.since !== undefined && !isCursor(log.since)) errors.push({ pointer: '/since', detail: 'not a cursor of this log' });
  if (errors.length > 0) throw new ValidationFailed(`the sync log has ${errors.length} invalid field(s); nothing was applied`, errors);
  refuseFutureVersions(node, log);
  const since = log.since === undefined ? undefined : await cursorSeq(node.store, collection.name, log.since, grant);
  // Checked above: an entry without base comes with the log's `since`.
  const writes = log.entries.map((entry, i) => {
    const write = toWrite(entry, since, entry.deleted ? undefined : collection.channels(entry.data), entry.itemId.toLowerCase());
    if (!entry.deleted) write.dataJson = texts[i]!;
    return write;
  });
  return { writes, ...(since === undefined ? {} : { since }), ...(grant === undefined ? {} : { grant }) };
}

/** DESIGN §2: a version stamped past this node's clock plus the allowed skew would win every conflict until then. */
function refuseFutureVersions(node: ServerNode, log: SyncLog): void {
  const now = node.clock();
  const latest = now.getTime() + node.maxClockSkewMs;
  const errors: FieldError[] = [];
  log.entries.forEach((entry, i) => {
    // The schema has checked the grammar (lib/protocol/time.ts), so Date.parse reads it exactly.
    if (Date.parse(entry.updatedAt) > latest) errors.push({ pointer: `/entries/${i}/updatedAt`, detail: `later than this node's clock allows` });
  });
  if (errors.length === 0) return;
  const items = errors.map((e) => log.entries[Number(e.pointer.split('/')[2])]!.itemId).join(', ');
  throw new ClockSkew(
    `${errors.length} entr${errors.length === 1 ? 'y is' : 'ies are'} stamped later than this node's clock (${toIso(now)}) plus ${node.maxClockSkewMs / 1000} s of allowed clock skew (item ${items}); check the writer's clock; nothing was applied`,
    errors,
  );
}

function countEntries(body: unknown): number {
  const entries = (body as { entries?: unknown } | null)?.entries;
  return Array.isArray(entries) ? entries.length : 0;
}

/** RFC 7240: `Prefer: respond-async, wait=10` and the like. */
function prefersAsync(header: string): boolean {
  return header.split(',').some((pref) => pref.split(';')[0]!.trim().toLowerCase() === 'respond-async');
}
