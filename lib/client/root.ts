import { rels } from '../protocol/rels.js';
import { NotARoot, utf8 } from './errors.js';
import { HalDocument } from './hal.js';
import { header, type HttpClient } from './http.js';

/**
 * Reads the document a caller gave as an API root, and refuses one that is not: a collection,
 * a log, the OpenAPI document or a web page would otherwise be "a root with no collections",
 * and a sync of it a silent success that moved nothing (DESIGN §6).
 */
export async function readRoot(http: HttpClient, url: string): Promise<HalDocument> {
  // The root is given, so its origin becomes trusted (as `http.root` does).
  http.trust(url);
  const response = await http.request('GET', new URL(url).href);
  const type = header(response.headers, 'content-type') ?? '';
  const origin = `${new URL(response.uri).origin}/`;
  if (!/json/i.test(type)) {
    throw new NotARoot(response.uri, /html/i.test(type) ? 'an HTML page' : `not JSON (${type || 'no content type'})`, origin);
  }
  let doc: HalDocument;
  try {
    doc = HalDocument.parse(response.uri, utf8(response.body));
  } catch {
    throw new NotARoot(response.uri, 'not a JSON object', origin);
  }
  // A root that lists no collection to these credentials still lists the relation (empty): a root.
  const links = doc.body._links;
  if (doc.has(rels.collection) || (typeof links === 'object' && links !== null && rels.collection in links)) return doc;
  throw new NotARoot(response.uri, kind(doc), await rootOf(http, doc, origin));
}

/** What a JSON document that is not a root looks like, by the members only it has. */
function kind(doc: HalDocument): string {
  const body = doc.body;
  if (typeof body.openapi === 'string' || typeof body.swagger === 'string') return 'an OpenAPI document';
  if (doc.has(rels.transactions)) return typeof body.name === 'string' ? `the collection "${body.name}"` : 'a collection';
  if (typeof body.checkpoint === 'string' || doc.embedded(rels.entry).length > 0) return 'a transaction log';
  if (typeof body.itemId === 'string') return 'an item';
  if (typeof body.$schema === 'string') return 'a JSON Schema';
  if (doc.has(rels.conflict) || doc.has(rels.restore)) return 'a conflict record';
  return 'a JSON document without sync:collection links';
}

/**
 * Where the root is: the `up` link, or the `collection` link's `up` (a log, an item: one more
 * GET), or else the origin's `/`. A link that fails to answer leaves the origin's guess.
 */
async function rootOf(http: HttpClient, doc: HalDocument, origin: string): Promise<string> {
  if (doc.has('up')) return doc.resolve('up');
  if (!doc.has(rels.collectionUp)) return origin;
  try {
    const collection = await http.resource(doc.resolve(rels.collectionUp)).get();
    return collection.has('up') ? collection.resolve('up') : origin;
  } catch {
    return origin;
  }
}
