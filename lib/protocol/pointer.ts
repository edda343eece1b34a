/** One reference token of an RFC 6901 JSON Pointer: `~` and `/` escaped, in that order. */
export function pointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
