/** The maximum `Prefer: wait` a log GET honours, in seconds. */
export const MAX_WAIT_SECONDS = 60;

/**
 * The `wait` preference of a `Prefer` header (RFC 7240 §4.3: delta-seconds), capped at
 * MAX_WAIT_SECONDS; undefined when absent, zero or malformed (a preference the server does
 * not understand is ignored, never an error).
 */
export function waitPreference(header: string): number | undefined {
  for (const preference of header.split(',')) {
    const [name, value] = preference
      .split(';')[0]!
      .split('=')
      .map((part) => part.trim());
    if (name?.toLowerCase() !== 'wait' || value === undefined) continue;
    const text = value.replace(/^"(.*)"$/, '$1');
    if (!/^\d{1,9}$/.test(text)) return undefined;
    const seconds = Number(text);
    return seconds === 0 ? undefined : Math.min(seconds, MAX_WAIT_SECONDS);
  }
  return undefined;
}
