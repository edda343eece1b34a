import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { pointerToken } from './pointer.js';
import type { FieldError } from './problems.js';

/** spec/ holds one JSON Schema per message; this module loads them once into one ajv instance. */
export const SPEC_DIR = new URL('../../../spec/', import.meta.url);

// ajv-formats is CommonJS; under NodeNext its function arrives as the namespace's default.
const addFormats = formats.default as unknown as (ajv: Ajv2020) => Ajv2020;

export type SchemaName =
  'item' | 'item-write' | 'log-entry' | 'log-page' | 'sync-log' | 'sync-result' | 'problem' | 'job' | 'root' | 'collection' | 'conflict-records';

/** A fresh ajv (draft 2020-12, formats) with every spec/ schema registered under its file name. */
export function createAjv(): Ajv2020 {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const file of readdirSync(SPEC_DIR).filter((f) => f.endsWith('.schema.json'))) {
    ajv.addSchema(JSON.parse(readFileSync(new URL(file, SPEC_DIR), 'utf8')), file);
  }
  return ajv;
}

let shared: Ajv2020 | undefined;

/**
 * The validator of one protocol message, compiled at its first call and cached by ajv. Call it
 * where the message is checked, not at module level: the first call builds the ajv instance,
 * which would otherwise slow every import (`halsync --help` included).
 */
export function validator(name: SchemaName): ValidateFunction {
  shared ??= createAjv();
  const validate = shared.getSchema(`${name}.schema.json`);
  if (!validate) throw new Error(`no schema spec/${name}.schema.json`);
  return validate;
}

/** ajv's errors as `{ pointer, detail }`, pointers prefixed with where the validated value sits. */
export function fieldErrors(errors: ErrorObject[] | null | undefined, prefix = ''): FieldError[] {
  return mergeByPointer(
    (errors ?? []).map((e) => {
      // Point at the field itself, not at the object that lacks or has too much of it.
      const unknown = e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties';
      const field = unknown
        ? (e.params['additionalProperty'] ?? e.params['unevaluatedProperty'])
        : e.keyword === 'required'
          ? e.params['missingProperty']
          : undefined;
      // RFC 6901: the whole document is "" ("/" would name its member called "").
      const pointer = `${prefix}${e.instancePath}${field === undefined ? '' : `/${pointerToken(String(field))}`}`;
      const detail = unknown ? 'unknown field' : e.keyword === 'required' ? 'required field is missing' : (e.message ?? 'invalid');
      return { pointer, detail };
    }),
  );
}

/** One error per field: a timestamp can break both its pattern and its format, a client needs it once. */
function mergeByPointer(errors: FieldError[]): FieldError[] {
  const merged = new Map<string, FieldError>();
  for (const error of errors) {
    const seen = merged.get(error.pointer);
    if (!seen) merged.set(error.pointer, { ...error });
    else if (!seen.detail.split('; ').includes(error.detail)) seen.detail += `; ${error.detail}`;
  }
  return [...merged.values()];
}
