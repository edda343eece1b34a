import { BadRequest } from '../../protocol/problems.js';

/** Koa's parsed query: a name given twice is an array. */
export type RawQuery = Record<string, string | string[] | undefined>;

/** The query's parameters, each given at most once and all of them `known`; anything else is a 400 malformed-query. */
export function queryValues(raw: RawQuery, known: readonly string[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (!known.includes(name)) throw malformedQuery(name, `unknown query parameter; use ${list(known)}`);
    if (Array.isArray(value)) throw malformedQuery(name, `give ${name} once`);
    out[name] = value;
  }
  return out;
}

/** A page size: an integer from 1 to `max`. */
export function limitParam(text: string, max: number): number {
  const n = Number(text);
  if (!/^\d{1,9}$/.test(text) || n < 1 || n > max) throw malformedQuery('limit', `must be an integer from 1 to ${max}`);
  return n;
}

export function malformedQuery(name: string, detail: string): BadRequest {
  return new BadRequest(`query parameter ${name}: ${detail}`, [{ pointer: `/${name}`, detail }], 'malformed-query');
}

function list(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}
