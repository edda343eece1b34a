import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { channelReader, type ChannelSource } from '../protocol/channels.js';
import type { FieldError } from '../protocol/problems.js';
import { fieldErrors } from '../protocol/schemas.js';
import type { Json } from '../protocol/types.js';

/** A collection as the app is configured with it. */
export interface CollectionConfig {
  name: string;
  title?: string;
  /** JSON Schema of the items' `data` (draft 2020-12 unless `$schema` says draft-07). */
  schema?: Record<string, unknown>;
  /** Where an item's channels are (DESIGN §7): a JSON Pointer into `data`, or a function of it. None: items have no channels. */
  channels?: ChannelSource;
}

/** A collection ready to serve: its schema compiled once. */
export interface Collection {
  name: string;
  title: string;
  schema: Record<string, unknown>;
  /** Field errors of `data` (its schema, then its channels), pointers prefixed with `prefix`; empty when valid. */
  check(data: Json, prefix: string): FieldError[];
  /** The channels of data that passed `check` (distinct, sorted). */
  channels(data: Json): string[];
}

/** Without a schema a collection accepts any JSON object as `data`. */
export const ANY_OBJECT_SCHEMA = { $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' };

// Collection names become path segments: keep them to unreserved URI characters.
const NAME = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/;

const addFormats = formats.default as unknown as (ajv: Ajv | Ajv2020) => unknown;

export function compileCollections(configs: readonly CollectionConfig[], reserved: ReadonlySet<string> = new Set()): Map<string, Collection> {
  const collections = new Map<string, Collection>();
  for (const config of configs) {
    if (!NAME.test(config.name)) throw new Error(`collection name "${config.name}" must be letters, digits, ".", "_", "~" or "-"`);
    if (reserved.has(config.name)) throw new Error(`collection name "${config.name}" is reserved: ${[...reserved].join(', ')} name the node's other resources`);
    if (collections.has(config.name)) throw new Error(`collection "${config.name}" is configured twice`);
    collections.set(config.name, compile(config));
  }
  return collections;
}

function compile(config: CollectionConfig): Collection {
  const schema = config.schema ?? ANY_OBJECT_SCHEMA;
  let validate: ValidateFunction;
  try {
    validate = ajvFor(schema).compile(schema);
  } catch (err) {
    throw new Error(`collection "${config.name}": invalid JSON Schema: ${(err as Error).message}`);
  }
  let reader: ((data: Json) => ReturnType<ReturnType<typeof channelReader>>) | undefined;
  try {
    reader = config.channels === undefined ? undefined : channelReader(config.channels);
  } catch (err) {
    throw new Error(`collection "${config.name}": channels: ${(err as Error).message}`);
  }
  return {
    name: config.name,
    title: config.title ?? config.name,
    schema,
    check(data, prefix) {
      if (!validate(data)) return fieldErrors(validate.errors, prefix);
      const found = reader?.(data);
      return found && !found.ok ? [{ pointer: `${prefix}${found.error.pointer}`, detail: found.error.detail }] : [];
    },
    channels(data) {
      const found = reader?.(data);
      return found?.ok ? found.channels : [];
    },
  };
}

// One ajv per collection: user schemas may reuse `$id`s across collections.
function ajvFor(schema: Record<string, unknown>): Ajv | Ajv2020 {
  const draft = String(schema['$schema'] ?? '');
  const options = { allErrors: true, strict: false };
  const ajv = /draft-0[67]/.test(draft) ? new Ajv(options) : new Ajv2020(options);
  addFormats(ajv);
  return ajv;
}
