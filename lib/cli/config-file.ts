import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CollectionConfig } from '../server/collections.js';
import { configValidator, firstError } from '../server/config-schemas.js';
import { parsePrincipals, type JwtOptions, type PrincipalEntry } from '../server/principals.js';

/** `halsync serve --config F` as read (spec/config/config.schema.json), paths resolved against the file's folder. */
export interface ConfigFile {
  collections?: CollectionConfig[];
  principals?: string;
  jwt?: JwtOptions;
  token?: string;
  readTokens?: string[];
  cors?: string[];
  port?: number;
  host?: string;
  store?: string;
}

interface RawCollection {
  name: string;
  title?: string;
  schema?: string;
  channels?: string;
}

/** Reads and checks a config file; any fault is one line naming the file and the field. */
export async function readConfigFile(file: string): Promise<ConfigFile> {
  const raw = await readJsonFile(file, 'config file');
  const validate = configValidator('config');
  if (!validate(raw)) throw new Error(`${file}: not a halsync config: ${firstError(validate)}`);
  const config = raw as Omit<ConfigFile, 'collections'> & { collections?: RawCollection[] };
  const base = dirname(resolve(file));
  const { collections, principals, store, ...rest } = config;
  return {
    ...rest,
    ...(principals === undefined ? {} : { principals: resolve(base, principals) }),
    // A relative SQLite path is relative to the file too; URLs and memory: stay as they are.
    ...(store === undefined ? {} : { store: store.startsWith('sqlite:') && !store.startsWith('sqlite:/') ? `sqlite:${resolve(base, store.slice(7))}` : store }),
    ...(collections === undefined ? {} : { collections: await Promise.all(collections.map((c) => collectionOf(c, base, file))) }),
  };
}

async function collectionOf(raw: RawCollection, base: string, file: string): Promise<CollectionConfig> {
  const config: CollectionConfig = { name: raw.name };
  if (raw.title !== undefined) config.title = raw.title;
  if (raw.channels !== undefined) config.channels = raw.channels;
  if (raw.schema !== undefined) config.schema = await readSchema(resolve(base, raw.schema), `${file}: collection ${raw.name}`);
  return config;
}

/** A JSON Schema file: an object, or one line saying why not. */
export async function readSchema(path: string, what: string): Promise<Record<string, unknown>> {
  const schema = await readJsonFile(path, `${what}: schema`);
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error(`${what}: ${path} is not a JSON Schema object`);
  return schema as Record<string, unknown>;
}

/** A principals file, read and checked (spec/config/principals.schema.json). */
export async function readPrincipalsFile(path: string): Promise<Map<string, PrincipalEntry>> {
  return parsePrincipals(await readJsonFile(path, 'principals file'), path);
}

async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${path}: not JSON: ${(err as Error).message}`);
  }
}
