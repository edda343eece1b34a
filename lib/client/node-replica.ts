import type { ConflictRecord } from '../protocol/conflicts.js';
import { isCheckpoint } from '../protocol/cursor.js';
import { checkItem, InvalidEntry, parseEntry } from '../protocol/entry.js';
import { isItemId } from '../protocol/ids.js';
import { rels } from '../protocol/rels.js';
import type { Mismatch, Json, SyncEntry, SyncLog, SyncResult, VersionWithData } from '../protocol/types.js';
import { versionWithData } from '../protocol/version.js';
import { ClientError, LinkNotFound, Problem, ProtocolViolation, UnexpectedResponse, UnknownCollection, utf8 } from './errors.js';
import { HalDocument } from './hal.js';
import { header, type HttpClient, type RequestOptions } from './http.js';
import type { ApplyResult, LogPage, PreparedApply, Replica, ReplicaApplyOptions, ReplicaEntry } from './replica.js';
import { readAhead } from './read-ahead.js';
import { awaitJob } from './job.js';
import { toDocument } from './resource.js';

export interface NodeReplicaOptions {
  /** Entries per log page (the server's default when absent). */
  pageSize?: number;
  /** Ask for entries' data inside the log when its template offers `embed` (default true). */
  embed?: boolean;
  /** Send `Prefer: respond-async` with sync logs, so the node answers 202 and a job. */
  respondAsync?: boolean;
}

/** How much longer than its wait a long poll may take before it counts as timed out. */
const LONG_POLL_MARGIN_S = 15;

/**
 * A remote HAL node's collection as a replica. Everything it requests it found through
 * links: the root's `sync:collection`, the collection's `sync:transactions`, each entry's
 * `itemURI`, `next` pages, a 202's `sync:job`.
 */
export class NodeReplica implements Replica {
  readonly description: string;
  readonly peer: string;

  private constructor(
    readonly http: HttpClient,
    readonly rootUrl: string,
    readonly collection: string,
    private readonly document: HalDocument,
    private readonly options: NodeReplicaOptions,
  ) {
    this.description = `${rootUrl} (${collection})`;
    this.peer = rootUrl;
  }

  /** Finds the collection from the root. */
  static async open(http: HttpClient, rootUrl: string, collection: string, options: NodeReplicaOptions = {}): Promise<NodeReplica> {
    return NodeReplica.fromRoot(http, await http.root(rootUrl).get(), collection, options);
  }

  /** The replica of one collection of a root already fetched (one root GET for all collections). */
  static async fromRoot(http: HttpClient, root: HalDocument, collection: string, options: NodeReplicaOptions = {}): Promise<NodeReplica> {
    let uri: string;
    try {
      uri = root.resolve(rels.collection, { name: collection });
    } catch (error) {
      if (error instanceof LinkNotFound) throw new UnknownCollection(collection, root.uri);
      throw error;
    }
    const document = await http.resource(uri).get();
    if (!document.has(rels.transactions)) throw new LinkNotFound(rels.transactions, document.uri);
    return new NodeReplica(http, root.uri, collection, document, options);
  }

  /** The names of the collections a root publishes. */
  static collections(root: HalDocument): string[] {
    return root.links(rels.collection).flatMap((link) => (typeof link.name === 'string' ? [link.name] : []));
  }

  /**
   * The log after `since`, page by page, each entry checked as the node would check it. A page
   * must make progress: one that links a `next` page while its checkpoint stayed where the read
   * was is an error naming it (an endless chain of empty pages would never end otherwise).
   */
  async *changes(since: string | null): AsyncGenerator<LogPage> {
    const embed = this.options.embed !== false && this.document.offers(rels.transactions, 'embed');
    const query = (cursor: string | null) => ({ cursor: cursor ?? undefined, limit: this.options.pageSize, embed: embed ? 'data' : undefined });
    let restarted = false;
    let previous = since;
    // Each next page is asked for as soon as its predecessor arrived, before that one's entries are checked.
    const read = (cursor: string | null) => readAhead(this.http.resource(this.document.resolve(rels.transactions, query(cursor))).pages());
    let pages = read(since);
    for (;;) {
      let page: IteratorResult<HalDocument>;
      try {
        page = await pages.next();
      } catch (error) {
        // The node purged tombstones past our checkpoint: read its whole log instead of failing.
        if (error instanceof Problem && error.status === 410 && error.is('cursor-expired') && !restarted) {
          restarted = true;
          previous = null;
          pages = read(null);
          continue;
        }
        throw error;
      }
      if (page.done) return;
      const doc = page.value;
      const checkpoint = doc.body.checkpoint;
      if (typeof checkpoint !== 'string' || !isCheckpoint(checkpoint))
        throw new UnexpectedResponse(doc.uri, `the log page has no valid checkpoint: ${JSON.stringify(checkpoint)?.slice(0, 80)}`);
      if (!doc.embedsArray(rels.entry)) throw new UnexpectedResponse(doc.uri, `the log page has no ${rels.entry} array`);
      if (doc.has(rels.next) && checkpoint === previous)
        throw new UnexpectedResponse(doc.uri, 'the log page makes no progress: it links a next page but its checkpoint did not move');
      previous = checkpoint;
      const entries: ReplicaEntry[] = [];
      const removals: string[] = [];
      for (const entry of doc.embedded(rels.entry)) {
        if (entry.body.removed === true) removals.push(this.toRemoval(entry));
        else entries.push(this.toEntry(entry));
      }
      const more = doc.has(rels.next);
      yield removals.length === 0 ? { entries, checkpoint, restarted, more } : { entries, checkpoint, restarted, removals, more };
      restarted = false;
    }
  }

  /**
   * One long poll: the log after `since`, one entry at most, with `Prefer: wait` (a node that
   * does not honour it answers at once, and the caller's next poll comes a period later).
   */
  async waitForChange(since: string, seconds: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return false;
    const uri = this.document.resolve(rels.transactions, { cursor: since, limit: 1 });
    try {
      const response = await this.http.request('GET', uri, {
        headers: { prefer: `wait=${seconds}` },
        signal,
        // The node holds the request for the wait: give it that, and the usual margin.
        timeoutMs: (seconds + LONG_POLL_MARGIN_S) * 1000,
        acceptStatus: [410],
      });
      if (response.status === 410) return true;
      const page = toDocument(response);
      if (!page.embedsArray(rels.entry)) throw new UnexpectedResponse(response.uri, `the log page has no ${rels.entry} array`);
      return page.embedded(rels.entry).length > 0;
    } catch (error) {
      if (signal.aborted) return false;
      throw error;
    }
  }

  async data(entries: readonly ReplicaEntry[]): Promise<Map<string, VersionWithData>> {
    const found = new Map<string, VersionWithData>();
    await Promise.all(
      entries.map(async (entry) => {
        if (entry.deleted || entry.data !== undefined) {
          found.set(entry.itemId, versionWithData(entry));
          return;
        }
        if (!entry.itemURI) throw new ClientError(`${this.description}: log entry ${entry.itemId} has no itemURI`);
        const uri = entry.itemURI;
        const response = await this.http.limit(() => this.http.request('GET', uri, { acceptStatus: [404, 410] }));
        // Deleted or gone since the log was read: leave it out, and the engine reads the log again.
        if (response.status !== 200) return;
        // Through toDocument: an HTML page or a body that is not JSON is an UnexpectedResponse naming the item.
        found.set(entry.itemId, this.toVersion(uri, entry.itemId, toDocument(response).body));
      }),
    );
    return found;
  }

  async apply(log: SyncLog, options: ReplicaApplyOptions = {}): Promise<ApplyResult> {
    // Only records to keep: no sync log to send (the node's checkpoint stays where it was read).
    const outcome =
      log.entries.length === 0 && log.since !== undefined ? { ok: true as const, applied: 0, checkpoint: log.since } : await this.put({ json: log });
    return this.recorded(outcome, options);
  }

  /** The log's entries serialised (and compressed, for a node that reads gzip) now; `since` is added when it is sent. */
  prepare(entries: readonly SyncEntry[]): PreparedApply {
    const body = this.http.prepare(this.document.bare(rels.transactions), { entries });
    return {
      apply: async (since, options = {}) => this.recorded(await this.put({ prepared: { body, rest: { since } } }), options),
      discard: () => body.discard(),
    };
  }

  /** The apply's outcome, once the conflicts given with it are recorded (see record). */
  private async recorded(outcome: ApplyResult, options: ReplicaApplyOptions): Promise<ApplyResult> {
    if (!outcome.ok || !options.conflicts?.length) return outcome;
    return (await this.record(options.conflicts)) ? outcome : { ...outcome, unrecorded: options.conflicts.length };
  }

  /**
   * POSTs conflict records to the collection's `sync:conflicts` (they carry their ids, so a
   * re-sent POST records nothing twice), once the apply succeeded. False when the node
   * publishes no audit or the POST failed: the data has moved by then, so failing the sync
   * would not bring the records back (a rerun decides nothing); the report counts them instead.
   */
  private async record(conflicts: readonly ConflictRecord[]): Promise<boolean> {
    if (!this.document.has(rels.conflicts)) return false;
    try {
      await this.http.request('POST', this.document.bare(rels.conflicts), { json: { records: conflicts } });
      return true;
    } catch (error) {
      // Any failure of the request itself (refused, cut, timed out, a problem answer); not a bug of ours.
      if (error instanceof ClientError) return false;
      throw error;
    }
  }

  private async put(body: Pick<RequestOptions, 'json' | 'prepared'>): Promise<ApplyResult> {
    const headers: Record<string, string> = this.options.respondAsync ? { prefer: 'respond-async' } : {};
    const logUri = this.document.bare(rels.transactions);
    // A sync log is the client's one large upload: gzipped when the node said it reads gzip.
    const response = await this.http.request('PUT', logUri, { ...body, headers, acceptStatus: [409], compress: true });
    if (response.status === 202) {
      const location = header(response.headers, 'location');
      const body = response.body.length > 0 ? safeDocument(response.uri, response.body) : undefined;
      const outcome = await awaitJob(this.http, response.uri, location, body);
      return outcome.ok ? { ok: true, ...result(outcome.result, logUri) } : conflictOrThrow(outcome.problem);
    }
    if (response.status === 409) {
      return conflictOrThrow(new Problem('PUT', response.uri, 409, safeJson(response.body) ?? {}));
    }
    return { ok: true, ...result(safeJson(response.body), logUri) };
  }

  /** One entry of a page, checked with the node's own rules (lib/protocol/entry.ts). */
  private toEntry(doc: HalDocument): ReplicaEntry {
    let entry: ReplicaEntry;
    try {
      entry = parseEntry(doc.body);
    } catch (error) {
      if (error instanceof InvalidEntry)
        throw this.violation(
          doc.uri,
          error.itemId,
          error.errors.map((e) => `${e.pointer} ${e.detail}`),
        );
      throw error;
    }
    const href = typeof doc.body.itemURI === 'string' ? doc.body.itemURI : doc.has(rels.item) ? doc.resolve(rels.item) : undefined;
    if (href) entry.itemURI = doc.absolute(href);
    return entry;
  }

  /** A removal entry's item id, the one thing it says. */
  private toRemoval(doc: HalDocument): string {
    const itemId = doc.body.itemId;
    if (typeof itemId !== 'string' || !isItemId(itemId)) throw this.violation(doc.uri, undefined, ['/itemId must be a UUID']);
    return itemId.toLowerCase();
  }

  /** A fetched item, checked as an entry is, its fingerprint recomputed from its data. */
  private toVersion(uri: string, itemId: string, body: Record<string, unknown>): VersionWithData {
    const problems = checkItem(body).map((e) => `${e.pointer} ${e.detail}`);
    if (typeof body.itemId === 'string' && (!isItemId(body.itemId) || body.itemId.toLowerCase() !== itemId)) problems.push(`/itemId is not ${itemId}`);
    if (problems.length > 0) throw this.violation(uri, itemId, problems);
    return versionWithData(body as unknown as VersionWithData, body.data as Json);
  }

  private violation(uri: string, itemId: string | undefined, problems: string[]): ProtocolViolation {
    return new ProtocolViolation(this.description, uri, itemId, problems);
  }
}

function conflictOrThrow(problem: Problem): ApplyResult {
  const conflicts = problem.extensions.conflicts;
  if (problem.status !== 409 || !Array.isArray(conflicts)) throw problem;
  return { ok: false, conflicts: conflicts as Mismatch[] };
}

function result(body: Record<string, unknown> | undefined, uri: string): SyncResult {
  if (!body || typeof body.checkpoint !== 'string' || typeof body.applied !== 'number')
    throw new UnexpectedResponse(uri, 'the sync log answer has no applied/checkpoint');
  return { applied: body.applied, checkpoint: body.checkpoint };
}

function safeJson(body: Uint8Array): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(utf8(body));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function safeDocument(uri: string, body: Uint8Array): HalDocument | undefined {
  const json = safeJson(body);
  return json && new HalDocument(uri, json);
}
