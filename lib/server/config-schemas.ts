import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { fieldErrors, SPEC_DIR } from '../protocol/schemas.js';

/**
 * The schemas of what a node is configured with rather than what it exchanges (spec/config/):
 * a `--config` file, a principals file, and the grants object (also a JWT's `halsync` claim).
 */
export type ConfigSchemaName = 'config' | 'principals' | 'grants';

const addFormats = formats.default as unknown as (ajv: Ajv2020) => Ajv2020;
let ajv: Ajv2020 | undefined;

export function configValidator(name: ConfigSchemaName): ValidateFunction {
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false });
    addFormats(ajv);
    const dir = new URL('config/', SPEC_DIR);
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.schema.json'))) ajv.addSchema(JSON.parse(readFileSync(new URL(file, dir), 'utf8')), file);
  }
  return ajv.getSchema(`${name}.schema.json`)!;
}

/** The first error of a failed validation as one line: `/collections/0/name must match pattern …`. */
export function firstError(validate: ValidateFunction): string {
  const [first] = fieldErrors(validate.errors);
  return first ? `${first.pointer || '/'} ${first.detail}` : 'invalid';
}
