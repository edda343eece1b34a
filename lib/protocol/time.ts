/** Timestamps on the wire are ISO 8601 UTC with milliseconds: `2026-11-26T09:55:29.123Z`. */
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function isIsoTimestamp(text: string): boolean {
  return ISO_MS.test(text) && !Number.isNaN(Date.parse(text));
}

export function toIso(date: Date): string {
  return date.toISOString();
}

/** The later of two ISO timestamps (both in the canonical form, so they compare as strings). */
export function laterOf(a: string, b: string): string {
  return a >= b ? a : b;
}
