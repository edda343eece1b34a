import { pointerToken } from './pointer.js';
import type { Json } from './types.js';

/** The deepest nesting a protocol message may have. */
export const MAX_DEPTH = 64;

/** What is wrong with a parsed JSON value, where (an RFC 6901 pointer, "" the whole value), and a one-line summary. */
export interface JsonFlaw {
  kind: FlawKind;
  pointer: string;
  detail: string;
  summary: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether text holds a lone surrogate (has no UTF-8 form). String.prototype.isWellFormed (ES2024,
 * Node 20) answers in about a third of the regex's time for the strings of an ordinary item; the
 * regex is only for a browser that lacks it.
 */
export const hasLoneSurrogate: (text: string) => boolean =
  typeof (String.prototype as { isWellFormed?: unknown }).isWellFormed === 'function'
    ? (text) => !(text as unknown as { isWellFormed(): boolean }).isWellFormed()
    : (text) => LONE_SURROGATE.test(text);

/**
 * What JSON.parse accepts but no protocol value can be, checked in one place for every message
 * (node and client alike): nesting past the limit; numbers out of range (`1e999` parses as
 * Infinity); lone surrogates (`"\ud800"`), as a value or a key, which have no UTF-8 form and
 * so no canonical JSON and no fingerprint. Recursive but never deeper than the limit, so a
 * hostile document cannot overflow the stack; the pointer is built only for the flaw found
 * (building one for every value was a tenth of a node's CPU on a large sync log).
 */
export function findJsonFlaw(value: Json, maxDepth = MAX_DEPTH): JsonFlaw | null {
  const path: string[] = [];
  const kind = flawIn(value, 1, maxDepth, path);
  if (kind === null) return null;
  // The path was collected from the flaw up.
  const pointer = path
    .reverse()
    .map((token) => `/${pointerToken(token)}`)
    .join('');
  if (kind === 'surrogate') return loneSurrogate(pointer);
  return kind === 'range'
    ? { kind, pointer, detail: 'number out of range', summary: 'a number in the body is too large to represent' }
    : { kind, pointer, detail: `nested deeper than ${maxDepth} levels`, summary: `JSON nested deeper than ${maxDepth} levels` };
}

export type FlawKind = 'range' | 'surrogate' | 'depth';

function flawIn(node: Json, depth: number, maxDepth: number, path: string[]): FlawKind | null {
  if (typeof node === 'number') return Number.isFinite(node) ? null : 'range';
  if (typeof node === 'string') return hasLoneSurrogate(node) ? 'surrogate' : null;
  if (node === null || typeof node !== 'object') return null;
  // The first value past the limit is the flaw.
  if (depth > maxDepth) return 'depth';
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const kind = flawIn(node[i]!, depth + 1, maxDepth, path);
      if (kind) {
        path.push(String(i));
        return kind;
      }
    }
    return null;
  }
  for (const key of Object.keys(node)) {
    const kind = hasLoneSurrogate(key) ? 'surrogate' : flawIn(node[key]!, depth + 1, maxDepth, path);
    if (kind) {
      path.push(key);
      return kind;
    }
  }
  return null;
}

function loneSurrogate(pointer: string): JsonFlaw {
  return {
    kind: 'surrogate',
    pointer,
    detail: 'holds a lone surrogate (not Unicode text)',
    summary: 'a string in the body holds a lone surrogate, which is not Unicode text',
  };
}
