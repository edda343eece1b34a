import type { Context } from 'koa';
import { losers, type Side, type StoredConflict } from '../../protocol/conflicts.js';
import type { Collection } from '../collections.js';
import type { HalBody } from '../http/hal.js';
import { HAL_FORMS_TYPE, linker, type ServerNode } from '../node.js';
import { grantCovers, principalOf, writeGrant } from '../principal.js';
import type { StoredItem } from '../../store/store.js';

/**
 * HAL-FORMS (draft-kelly-json-hal-forms) affordances, DESIGN §2: the writes a principal may
 * make on a document, as `_templates`, for a request whose Accept names the media type.
 * Every template is built here, so the item, collection and conflict routes agree on them.
 */
export interface HalFormsProperty {
  name: string;
  required?: boolean;
  prompt?: string;
  type?: string;
}

export interface HalFormsTemplate {
  title: string;
  method: 'PUT' | 'POST' | 'DELETE';
  target: string;
  contentType?: string;
  properties: HalFormsProperty[];
}

export type Templates = Record<string, HalFormsTemplate>;

/**
 * Whether Accept names the HAL-FORMS type (with q > 0). A wildcard does not count: plain
 * HAL clients that send `*∕*` get plain HAL, as DESIGN promises.
 */
export function wantsTemplates(ctx: Context): boolean {
  return ctx
    .get('Accept')
    .split(',')
    .some((range) => {
      const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase());
      const q = params.map((p) => /^q=([\d.]+)$/.exec(p)?.[1]).find((v) => v !== undefined);
      return type === HAL_FORMS_TYPE && (q === undefined || Number(q) > 0);
    });
}

/**
 * Whether the request's principal may write an item with these channels now (`undefined`: a
 * new item, which it may create when it may write any channel at all). The write itself is
 * still decided against the channels its data gives (DESIGN §7).
 */
export function mayWrite(ctx: Context, collection: string, channels?: readonly string[]): boolean {
  const grant = writeGrant(principalOf(ctx), collection);
  if (grant === undefined) return true;
  return channels === undefined ? grant.length > 0 : grantCovers(grant, channels);
}

/** The one property of a write: `data`, with its input type hinted by the collection's schema. */
function dataProperty(collection: Collection, schemaUrl: string): HalFormsProperty {
  return { name: 'data', required: true, type: inputType(collection.schema), prompt: `data: JSON matching the schema at ${schemaUrl}` };
}

/** HTML-style input type of a schema's top-level `type`: structured data is edited as JSON text. */
function inputType(schema: Record<string, unknown>): string {
  const type = schema['type'];
  if (type === 'string') return 'text';
  if (type === 'number' || type === 'integer') return 'number';
  return 'textarea';
}

function write(title: string, method: 'PUT' | 'POST', target: string, collection: Collection, schemaUrl: string): HalFormsTemplate {
  return { title, method, target, contentType: 'application/json', properties: [dataProperty(collection, schemaUrl)] };
}

/** `default` (PUT, replaces the data) and `delete` (DELETE, leaves a tombstone). */
export function itemTemplates(ctx: Context, node: ServerNode, collection: Collection, item: StoredItem): Templates {
  if (!mayWrite(ctx, collection.name, item.channels)) return {};
  const links = linker(ctx, node);
  const href = links.item(collection.name, item.itemId);
  return {
    default: write('Save', 'PUT', href, collection, links.schema(collection.name)),
    delete: { title: 'Delete', method: 'DELETE', target: href, properties: [] },
  };
}

/** `default` (POST, a new item under a UUID the node picks). */
export function collectionTemplates(ctx: Context, node: ServerNode, collection: Collection): Templates {
  if (!mayWrite(ctx, collection.name)) return {};
  const links = linker(ctx, node);
  return { default: write('Create an item', 'POST', links.collection(collection.name), collection, links.schema(collection.name)) };
}

/** `restore` (POST, no body): the losing version back as a new edit; after a merge, `restore-local` and `restore-remote` too. */
export function conflictTemplates(ctx: Context, node: ServerNode, collection: Collection, record: StoredConflict, current: StoredItem | null): Templates {
  if (!mayWrite(ctx, collection.name, current?.channels ?? [])) return {};
  const base = linker(ctx, node).restore(collection.name, record.conflictId);
  const sides = losers(record);
  const template = (side: Side): HalFormsTemplate => ({ title: `Restore the ${side} version`, method: 'POST', target: `${base}?side=${side}`, properties: [] });
  const out: Templates = {};
  if (sides[0] !== undefined) out['restore'] = template(sides[0]);
  if (sides.length > 1) for (const side of sides) out[`restore-${side}`] = template(side);
  return out;
}

/** The document with its templates, when the request asked for them (and there are any to give). */
export function withTemplates(ctx: Context, doc: HalBody, templates: () => Templates): HalBody {
  if (!wantsTemplates(ctx)) return doc;
  return { ...doc, _templates: templates() };
}
