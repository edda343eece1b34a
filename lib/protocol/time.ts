/**
 * The one timestamp grammar of the protocol, for node and client alike (DESIGN §2): ISO 8601
 * UTC with milliseconds, `2026-11-26T09:55:29.123Z`, on a real calendar date, seconds 00–59.
 * A leap second (`…:60`) is refused: JavaScript cannot represent it, so a node that took one
 * would hand every client a time it cannot read. spec/defs.schema.json states the same pattern.
 */
export const TIMESTAMP_PATTERN = '^\\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\\d|3[01])T([01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d\\.\\d{3}Z$';
const TIMESTAMP = new RegExp(TIMESTAMP_PATTERN);

/** RFC 3339 §5.6 date-time: any offset, fraction optional, `T`/`Z` in either case. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

export function isTimestamp(text: string): boolean {
  return TIMESTAMP.test(text) && isCalendarDay(text);
}

/** The name the client knows it by. */
export const isIsoTimestamp = isTimestamp;

/** The milliseconds since the epoch of a protocol timestamp, or null when it is not one. */
export function parseTimestamp(text: string): number | null {
  return isTimestamp(text) ? Date.parse(text) : null;
}

/**
 * The instant an RFC 3339 date-time names (ms since the epoch, fraction truncated to ms), or
 * null when it is not one: a day its month lacks, hour 24, second 60, an offset past ±23:59.
 * Times are compared as instants, never as text: `…-14:00` is later than its wall clock says.
 */
export function parseDateTime(text: string): number | null {
  const m = DATE_TIME.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = Number(m[10] ?? 0);
  const offsetMinutes = Number(m[11] ?? 0);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const ms = Number((m[7] ?? '').padEnd(3, '0').slice(0, 3));
  const sign = m[9] === '-' ? -1 : 1;
  const utc = new Date(0);
  utc.setUTCFullYear(year, month - 1, day);
  utc.setUTCHours(hour, minute, second, ms);
  return utc.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000;
}

export function toIso(date: Date): string {
  return date.toISOString();
}

/** The later of two ISO timestamps (both in the canonical form, so they compare as strings). */
export function laterOf(a: string, b: string): string {
  return a >= b ? a : b;
}

function isCalendarDay(text: string): boolean {
  // Digits only here (the pattern matched): read them without slicing or allocating, since
  // every entry of every log page comes through this.
  const digit = (i: number) => text.charCodeAt(i) - 48;
  const year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3);
  return digit(8) * 10 + digit(9) <= daysIn(year, digit(5) * 10 + digit(6));
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** Days in a month of the proleptic Gregorian calendar (the one ISO 8601 and Date use). */
function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}
