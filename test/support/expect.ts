import { expect } from 'chai';
import { validator, type SchemaName } from '../../lib/protocol/schemas.js';
import type { Reply } from './http.js';

/** The document validates against its spec/ schema. */
export function expectValid(name: SchemaName, doc: unknown): void {
  const validate = validator(name);
  const ok = validate(doc);
  expect(ok, `${name}: ${JSON.stringify(validate.errors)}`).to.equal(true);
}

/** An RFC 9457 problem of this status and halsync problem type, valid against spec/problem.schema.json. */
export function expectProblem(reply: Reply, status: number, type?: string): Record<string, any> {
  expect(reply.status, reply.text).to.equal(status);
  expect(reply.headers['content-type']).to.match(/^application\/problem\+json/);
  expectValid('problem', reply.json);
  expect(reply.json.status).to.equal(status);
  expect(reply.json.title).to.be.a('string').and.not.empty;
  expect(reply.json.detail).to.be.a('string').and.not.empty;
  expect(reply.json.instance).to.be.a('string');
  if (type) expect(reply.json.type).to.equal(type);
  return reply.json;
}

export function pointers(problem: Record<string, any>): string[] {
  return (problem['errors'] as Array<{ pointer: string }>).map((e) => e.pointer);
}

/** The reason `promise` rejected with; fails the test when it fulfils instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  expect.fail('expected a rejection, but the promise fulfilled');
}

/**
 * `promise` rejects with an instance of `type` whose listed properties equal the given values
 * (deeply; a RegExp matches a string property). Returns the error, typed, for further checks.
 */
export async function expectRejection<E>(
  promise: Promise<unknown>,
  type: abstract new (...args: any[]) => E,
  properties: { [K in keyof E]?: unknown } = {},
): Promise<E> {
  const error = await rejection(promise);
  expect(error, String(error)).to.be.instanceOf(type);
  for (const [key, want] of Object.entries(properties)) {
    const got = (error as Record<string, unknown>)[key];
    if (want instanceof RegExp)
      expect(got, `${key} of ${String(error)}`)
        .to.be.a('string')
        .that.matches(want);
    else expect(got, `${key} of ${String(error)}`).to.deep.equal(want);
  }
  return error as E;
}
