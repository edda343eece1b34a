const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `15m`, `90s`, `500ms`, `2w` (a bare number is seconds) → milliseconds; throws on anything else. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?$/i.exec(text.trim());
  const ms = match ? Number(match[1]) * UNITS[(match[2] ?? 's').toLowerCase()]! : NaN;
  if (!Number.isFinite(ms) || ms <= 0) throw new Error(`"${text}" is not a duration (e.g. 30d, 12h, 15m, 90s)`);
  return Math.round(ms);
}
