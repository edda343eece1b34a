import { parseTemplate, type PrimitiveValue } from 'url-template';
import type { Link } from '../protocol/types.js';
import { LinkNotFound, UnexpectedResponse } from './errors.js';

/**
 * One HAL document as the client reads it: its links and embedded documents, with every
 * relative href resolved against the URI the document was fetched from. Embedded documents
 * share that base: they are part of the same representation (resolving them against their
 * own `self` is the mistake STYLE.md warns about).
 */

export type JsonObject = { [key: string]: unknown };
export type TemplateValue = PrimitiveValue | PrimitiveValue[] | undefined;
/** What `follow` takes: link attributes to pick a link by (`name`), and template variables. */
export type FollowParams = Record<string, TemplateValue>;

export class HalDocument {
  constructor(
    /** The URI the document came from: the base of its relative links. */
    readonly uri: string,
    readonly body: JsonObject,
  ) {}

  static parse(uri: string, text: string): HalDocument {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new UnexpectedResponse(uri, 'the body is not JSON');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new UnexpectedResponse(uri, 'the body is not a JSON object');
    return new HalDocument(uri, body as JsonObject);
  }

  /** The links of a relation, matched by its literal (CURIE) name; always an array. */
  links(rel: string): Link[] {
    const links = this.body._links;
    if (!links || typeof links !== 'object') return [];
    const value = (links as Record<string, unknown>)[rel];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.filter((link): link is Link => !!link && typeof link === 'object' && typeof (link as Link).href === 'string');
  }

  has(rel: string): boolean {
    return this.links(rel).length > 0;
  }

  /**
   * The one link of `rel` that `params` select, expanded and resolved to an absolute URI.
   * A param whose name is an attribute of the relation's links (`name`, `title`) picks the
   * link; the others are template variables.
   */
  resolve(rel: string, params: FollowParams = {}): string {
    const links = this.links(rel);
    const attributes: Record<string, string> = {};
    const variables: Record<string, PrimitiveValue | PrimitiveValue[]> = {};
    for (const [key, value] of Object.entries(params)) {
      if (value === undefined) continue;
      if (key !== 'href' && links.some((link) => key in link)) attributes[key] = String(value);
      else variables[key] = value;
    }
    const link = links.find((candidate) => Object.entries(attributes).every(([key, value]) => candidate[key] === value));
    if (!link) throw new LinkNotFound(rel, this.uri, attributes);
    return expandHref(link, variables, this.uri);
  }

  /** The link's href with no template variables: for a templated log link, the log's own URI. */
  bare(rel: string): string {
    return this.resolve(rel, {});
  }

  /** Embedded documents of a relation; always an array, sharing this document's base. */
  embedded(rel: string): HalDocument[] {
    const embedded = this.body._embedded;
    if (!embedded || typeof embedded !== 'object') return [];
    const value = (embedded as Record<string, unknown>)[rel];
    const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
    return list.filter((doc): doc is JsonObject => !!doc && typeof doc === 'object' && !Array.isArray(doc)).map((doc) => new HalDocument(this.uri, doc));
  }

  /** Whether the document embeds an array of this relation (a log page always does, even when empty). */
  embedsArray(rel: string): boolean {
    const embedded = this.body._embedded;
    return !!embedded && typeof embedded === 'object' && Array.isArray((embedded as Record<string, unknown>)[rel]);
  }

  /** An absolute URI for an href found in a plain field (such as an entry's `itemURI`). */
  absolute(href: string): string {
    return new URL(href, this.uri).href;
  }

  /** True when the relation's link is a template with this variable (such as `embed`). */
  offers(rel: string, variable: string): boolean {
    return this.links(rel).some((link) => link.templated === true && templateVariables(link.href).includes(variable));
  }
}

export function expandHref(link: Link, variables: Record<string, PrimitiveValue | PrimitiveValue[]>, base: string): string {
  const href = link.templated ? parseTemplate(link.href).expand(variables) : link.href;
  return new URL(href, base).href;
}

/** The variable names of an RFC 6570 template (`/log{?cursor,limit}` → cursor, limit). */
function templateVariables(template: string): string[] {
  const names: string[] = [];
  for (const [, expression] of template.matchAll(/\{([^}]*)\}/g)) {
    for (const spec of expression!.replace(/^[+#./;?&]/, '').split(',')) names.push(spec.replace(/(\*|:\d+)$/, ''));
  }
  return names;
}
