import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { createAjv, fieldErrors, SPEC_DIR, validator } from '../../lib/protocol/schemas.js';

describe('protocol/schemas', () => {
  it('registers every spec/ schema under its file name, and compiles each', () => {
    const ajv = createAjv();
    const files = readdirSync(SPEC_DIR).filter((f) => f.endsWith('.schema.json'));
    expect(files.length).to.be.greaterThan(5);
    for (const file of files) expect(ajv.getSchema(file), file).to.be.a('function');
  });

  it('gives the same cached validator for a message every time, and refuses an unknown one', () => {
    expect(validator('item')).to.equal(validator('item'));
    expect(() => validator('nope' as never)).to.throw(/no schema spec\/nope\.schema\.json/);
  });

  it('turns ajv errors into one { pointer, detail } per field, pointing at the field itself', () => {
    const validate = validator('item-write');
    expect(validate({ data: 1, extra: true, 'a/b~c': 1 })).to.equal(false);
    const errors = fieldErrors(validate.errors, '/body');
    const pointers = errors.map((e) => e.pointer);
    expect(pointers).to.include('/body/extra');
    expect(pointers).to.include('/body/a~1b~0c');
    expect(new Set(pointers).size, 'one error per pointer').to.equal(pointers.length);
    expect(errors.find((e) => e.pointer === '/body/extra')!.detail).to.equal('unknown field');
  });

  it('names a missing required field, and the whole document as ""', () => {
    const validate = validator('sync-log');
    expect(validate({})).to.equal(false);
    expect(fieldErrors(validate.errors)).to.deep.include({ pointer: '/entries', detail: 'required field is missing' });
    expect(validate([])).to.equal(false);
    expect(fieldErrors(validate.errors).map((e) => e.pointer)).to.include('');
    expect(fieldErrors(null)).to.deep.equal([]);
  });
});
