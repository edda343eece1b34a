import hal from 'hal';
import type { Link } from '../../protocol/types.js';

/**
 * The one wrapper around the `hal` package. The package pluralizes embedded rels, renders
 * one link as an object and two as an array, leaves `rel` inside array links and drops
 * attributes outside its allow-list; this module hides all of that behind typed documents.
 */

/** A HAL document as the server sends it (the client reads one with its HalDocument class). */
export interface HalBody {
  _links: Record<string, Link | Link[]>;
  _embedded?: Record<string, HalBody[]>;
  [property: string]: unknown;
}

export interface HalInput {
  properties?: Record<string, unknown>;
  /** `self` is required: every document has one. */
  links: { self: Link } & Record<string, Link | Link[] | undefined>;
  embedded?: Record<string, HalInput[]>;
}

/** Relations that can hold several links render as an array even when they hold one. */
const ARRAY_RELS = new Set(['curies', 'sync:collection', 'sync:entry', 'sync:conflict', 'sync:restore']);

/** Attributes the package would drop; set on the link after it is built. */
const EXTRA_ATTRIBUTES = ['type', 'profile', 'deprecation'] as const;

export function halDocument(input: HalInput): HalBody {
  return normalize(build(input).toJSON(), input);
}

function build(input: HalInput) {
  const resource = new hal.Resource({ ...input.properties }, input.links.self.href);
  Object.assign(resource._links['self']!, extras(input.links.self));
  for (const [rel, value] of Object.entries(input.links)) {
    if (rel === 'self' || value === undefined) continue;
    for (const link of Array.isArray(value) ? value : [value]) {
      resource.link(rel, { ...link });
      const added = resource._links[rel]!;
      Object.assign(Array.isArray(added) ? added[added.length - 1]! : added, extras(link));
    }
  }
  for (const [rel, docs] of Object.entries(input.embedded ?? {})) {
    resource.embed(rel, docs.map(build), false);
  }
  return resource;
}

function extras(link: Link): Partial<Link> {
  const out: Record<string, string> = {};
  for (const key of EXTRA_ATTRIBUTES) if (link[key] !== undefined) out[key] = link[key];
  return out;
}

/** Properties first, then `_links`, then `_embedded`: documents read top-down. */
function normalize(json: Record<string, unknown>, input: HalInput): HalBody {
  const links: Record<string, Link | Link[]> = {};
  for (const [rel, value] of Object.entries(json['_links'] as Record<string, unknown>)) {
    const list = (Array.isArray(value) ? value : [value]).map(stripRel);
    links[rel] = ARRAY_RELS.has(rel) || Array.isArray(input.links[rel]) ? list : list[0]!;
  }
  const { _links: _l, _embedded: rawEmbedded, ...properties } = json;
  const doc: HalBody = { ...properties, _links: links };
  if (input.embedded) {
    const embedded = (rawEmbedded ?? {}) as Record<string, Record<string, unknown>[]>;
    doc._embedded = {};
    for (const [rel, docs] of Object.entries(input.embedded)) {
      doc._embedded[rel] = (embedded[rel] ?? []).map((child, i) => normalize(child, docs[i]!));
    }
  }
  return doc;
}

function stripRel(link: unknown): Link {
  const { rel: _rel, ...rest } = link as Link & { rel?: string };
  return rest;
}
