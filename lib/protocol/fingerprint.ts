import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { Json } from './types.js';

/**
 * RFC 8785 (JCS) canonical JSON of a value: equal data, equal text, on every node. Members
 * sorted by their names' UTF-16 code units, numbers and strings as ECMAScript's JSON.stringify
 * writes them (JCS §3.2.2 defines them so), no whitespace; NaN, ±Infinity and lone surrogates
 * have no canonical form and throw. The same text as the `canonicalize` package (the tests hold
 * it to that, test/protocol/fingerprint.test.ts) at a fraction of its cost: it checked every
 * string one character at a time and kept a Set for cycles, and nodes and the client hash every
 * entry they receive, so this ran once a version on each side of every sync.
 */
export function canonicalJson(value: Json): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

// In a `u` pattern a surrogate pair is one code point: only a lone surrogate is General_Category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

function canonical(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError('Lone surrogate is not allowed');
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${value} is not allowed`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return 'null';
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return canonical((value as { toJSON: () => unknown }).toJSON());
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) text += (i ? ',' : '') + (canonical(value[i]) ?? 'null');
    return `${text}]`;
  }
  const object = value as Record<string, unknown>;
  let text = '{';
  for (const key of Object.keys(object).sort()) {
    const member = canonical(object[key]);
    if (member === undefined) continue;
    text += (text.length > 1 ? ',' : '') + canonical(key) + ':' + member;
  }
  return `${text}}`;
}

/**
 * Lowercase hex SHA-1 of UTF-8 text. On Node, node:crypto's (about half the cost of a pure
 * implementation for an item of 200 bytes); elsewhere @noble/hashes', so the same code
 * fingerprints in a browser, synchronously, which WebCrypto cannot. node:crypto is reached
 * through process.getBuiltinModule, so no bundler sees a Node built-in imported here.
 */
export function sha1Hex(text: string): string {
  return nodeCrypto ? nodeCrypto.createHash('sha1').update(text, 'utf8').digest('hex') : bytesToHex(sha1(utf8ToBytes(text)));
}

type NodeCrypto = { createHash(algorithm: 'sha1'): { update(text: string, encoding: 'utf8'): { digest(encoding: 'hex'): string } } };
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  NodeCrypto | undefined;

/** Lowercase hex SHA-1 of the canonical JSON of `data`. A tombstone's is that of `null`. */
export function fingerprint(data: Json): string {
  return sha1Hex(canonicalJson(data));
}

export const TOMBSTONE_FINGERPRINT = fingerprint(null);
