import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Json } from './types.js';

/** RFC 8785 (JCS) canonical JSON of a value: equal data, equal text, on every node. */
export function canonicalJson(value: Json): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/** Lowercase hex SHA-1 of the canonical JSON of `data`. A tombstone's is that of `null`. */
export function fingerprint(data: Json): string {
  return createHash('sha1').update(canonicalJson(data), 'utf8').digest('hex');
}

export const TOMBSTONE_FINGERPRINT = fingerprint(null);
