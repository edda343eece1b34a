import { sha1 } from '@noble/hashes/legacy.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import canonicalize from 'canonicalize';
import { hasLoneSurrogate } from './json.js';
import type { Json } from './types.js';

/**
 * RFC 8785 (JCS) canonical JSON of a value: equal data, equal text, on every node. The
 * `canonicalize` package (the reference implementation's author's) is the general path and the
 * oracle: canonical JSON is a solved problem, and two nodes disagreeing on it would never
 * converge. JCS writes strings and numbers exactly as ECMAScript's JSON.stringify does, and
 * JSON.stringify writes an object's members in Object.keys order; so for a value whose every
 * object already lists its keys in canonical order, whose strings are all Unicode and whose
 * numbers are all finite, JSON.stringify's text IS the canonical text. Data read from a log page
 * is such a value (stores keep data as canonical text, lib/store/rows.ts), and checking it then
 * writing it costs about a third of the library's sort, surrogate scan and joins for an item.
 * Anything else (keys out of order, a lone surrogate, a number out of range, a value that is not
 * JSON) goes to the library, which answers or throws exactly as it always did.
 */
export function canonicalJson(value: Json): string {
  if (inCanonicalOrder(value, 0)) return JSON.stringify(value);
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value has no JSON form');
  return text;
}

/**
 * Past this nesting the library decides (values reaching here are already depth-checked,
 * lib/protocol/json.ts), so the walk's recursion stays bounded whatever it is given.
 */
const FAST_PATH_DEPTH = 64;

/** Whether JSON.stringify writes `node` as its canonical JSON (see canonicalJson). */
function inCanonicalOrder(node: unknown, depth: number): boolean {
  switch (typeof node) {
    case 'string':
      return !hasLoneSurrogate(node);
    case 'number':
      return Number.isFinite(node);
    case 'boolean':
      return true;
    case 'object':
      break;
    default:
      // undefined (an array hole too), a function, a symbol, a bigint: not JSON.
      return false;
  }
  if (node === null) return true;
  if (depth >= FAST_PATH_DEPTH) return false;
  // What JSON.stringify and the library write differently (a toJSON, even a hidden one; a boxed
  // primitive, a class instance) is for the library to decide.
  if (typeof (node as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) if (!inCanonicalOrder(node[i], depth + 1)) return false;
    return true;
  }
  const prototype = Object.getPrototypeOf(node) as unknown;
  if (prototype !== Object.prototype && prototype !== null) return false;
  const record = node as Record<string, unknown>;
  // Object.keys puts integer-like keys first in numeric order ("9" before "10"), which is not
  // canonical order ("10" before "9"): such an object fails the comparison and goes to the library.
  const keys = Object.keys(record);
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    // RFC 8785 §3.2.3: sorted by UTF-16 code units, which is what < compares.
    if (i > 0 && !(keys[i - 1]! < key)) return false;
    if (hasLoneSurrogate(key) || !inCanonicalOrder(record[key], depth + 1)) return false;
  }
  return true;
}

/**
 * Lowercase hex SHA-1 of UTF-8 text. On Node, node:crypto's one-shot `hash` (a third of the
 * cost of a Hash object for an item of 200 bytes, itself half that of a pure implementation);
 * elsewhere @noble/hashes', so the same code fingerprints in a browser, synchronously, which
 * WebCrypto cannot. node:crypto is reached through process.getBuiltinModule, so no bundler sees
 * a Node built-in imported here.
 */
export function sha1Hex(text: string): string {
  return nodeCrypto ? nodeCrypto.hash('sha1', text, 'hex') : bytesToHex(sha1(utf8ToBytes(text)));
}

/** node:crypto's `hash` (Node 20.12 and later; package.json asks for 20.19): strings are hashed as UTF-8. */
type NodeCrypto = { hash(algorithm: 'sha1', text: string, encoding: 'hex'): string };
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as
  NodeCrypto | undefined;

/** Lowercase hex SHA-1 of the canonical JSON of `data`. A tombstone's is that of `null`. */
export function fingerprint(data: Json): string {
  return sha1Hex(canonicalJson(data));
}

export const TOMBSTONE_FINGERPRINT = fingerprint(null);
