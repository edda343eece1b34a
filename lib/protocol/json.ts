import { pointerToken } from './pointer.js';
import type { Json } from './types.js';

/** The deepest nesting a protocol message may have. */
export const MAX_DEPTH = 64;

/** What is wrong with a parsed JSON value, where (an RFC 6901 pointer, "" the whole value), and a one-line summary. */
export interface JsonFlaw {
  pointer: string;
  detail: string;
  summary: string;
}

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What JSON.parse accepts but no protocol value can be, checked in one place for every message
 * (node and client alike): nesting past the limit; numbers out of range (`1e999` parses as
 * Infinity); lone surrogates (`"\ud800"`), as a value or a key, which have no UTF-8 form and
 * so no canonical JSON and no fingerprint. Iterative, so a hostile document cannot overflow
 * the stack.
 */
export function findJsonFlaw(value: Json, maxDepth = MAX_DEPTH): JsonFlaw | null {
  const stack: Array<[Json, number, string]> = [[value, 1, '']];
  while (stack.length > 0) {
    const [node, depth, pointer] = stack.pop()!;
    if (typeof node === 'number' && !Number.isFinite(node)) {
      return { pointer, detail: 'number out of range', summary: 'a number in the body is too large to represent' };
    }
    if (typeof node === 'string' && LONE_SURROGATE.test(node)) return loneSurrogate(pointer);
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) {
      return { pointer, detail: `nested deeper than ${maxDepth} levels`, summary: `JSON nested deeper than ${maxDepth} levels` };
    }
    const entries = Array.isArray(node) ? node.map((child, i) => [String(i), child] as const) : Object.entries(node);
    for (const [key, child] of entries) {
      const at = `${pointer}/${pointerToken(key)}`;
      if (LONE_SURROGATE.test(key)) return loneSurrogate(at);
      stack.push([child, depth + 1, at]);
    }
  }
  return null;
}

function loneSurrogate(pointer: string): JsonFlaw {
  return { pointer, detail: 'holds a lone surrogate (not Unicode text)', summary: 'a string in the body holds a lone surrogate, which is not Unicode text' };
}
