import type { FieldError } from './problems.js';
import type { Json } from './types.js';

/**
 * An item's channels (DESIGN §7): the names a read or write grant is matched against. A
 * collection says where they are in its items' `data`: a JSON Pointer (RFC 6901) in its
 * configuration (`"channels": "/owner"`), or, when embedding, a function of `data`. What is
 * found there must be a string (one channel), an array of strings, or absent/null (none).
 */
export type ChannelSource = string | ((data: Json) => unknown);

/** The grant that matches every channel, and items with none. */
export const ALL_CHANNELS = '*';

/**
 * The channels of one version, or why it has none it may keep. `error.pointer` is relative
 * to `data` (`/owner`, `/lists/2`): the server prefixes where the data sits in its request
 * (`/data`, `/entries/3/data`) to make the 422's `errors[].pointer`.
 */
export type ChannelsResult = { ok: true; channels: string[] } | { ok: false; error: FieldError };

/**
 * Compiles a collection's channel source once into the function its writes call. A pointer
 * that is not RFC 6901 syntax (it must be empty or start with `/`) is refused here, so a
 * misconfigured collection fails when the node starts rather than at its first write.
 */
export function channelReader(source: ChannelSource): (data: Json) => ChannelsResult {
  if (typeof source === 'function') {
    // A function has no place in data to point at: its errors point at the data itself.
    return (data) => toChannels(source(data), { pointer: '', what: 'the channels function returned', into: false });
  }
  const tokens = parsePointer(source);
  return (data) => toChannels(resolve(data, tokens), { pointer: source, what: `${source === '' ? 'data' : source} is`, into: true });
}

/**
 * The tokens of a JSON Pointer (RFC 6901 §3–4: `~1` is `/`, `~0` is `~`). Written here rather
 * than taken from a package: it is a dozen lines, and a lookup must see only the data's own
 * properties (never `__proto__` or `constructor` of Object.prototype).
 */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new TypeError(`"${pointer}" is not a JSON Pointer: it must be empty or start with "/"`);
  if (/~[^01]|~$/.test(pointer)) throw new TypeError(`"${pointer}" is not a JSON Pointer: "~" must be followed by 0 or 1`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** What the pointer finds in `data`; undefined when any step is missing. */
function resolve(data: Json, tokens: readonly string[]): Json | undefined {
  let at: Json | undefined = data;
  for (const token of tokens) {
    if (Array.isArray(at)) {
      // RFC 6901 §4: an array index is digits without a leading zero; "-" names no element.
      at = /^(0|[1-9]\d*)$/.test(token) ? at[Number(token)] : undefined;
    } else if (at !== null && typeof at === 'object') {
      at = Object.hasOwn(at, token) ? at[token] : undefined;
    } else {
      return undefined;
    }
  }
  return at;
}

/** Channels in one canonical form (distinct, sorted), so equal sets are stored and compared equal. */
function toChannels(value: unknown, where: { pointer: string; what: string; into: boolean }): ChannelsResult {
  const { pointer, what } = where;
  if (value === undefined || value === null) return { ok: true, channels: [] };
  if (typeof value === 'string') return { ok: true, channels: [value] };
  if (Array.isArray(value)) {
    const bad = value.findIndex((channel) => typeof channel !== 'string');
    if (bad >= 0) {
      const detail = `a channel must be a string, not ${describe(value[bad])}`;
      // A function's array is not in data: its errors point at the data as a whole.
      if (where.into) return { ok: false, error: { pointer: `${pointer}/${bad}`, detail } };
      return { ok: false, error: { pointer, detail: `${what} an array whose element ${bad} is ${describe(value[bad])}: ${detail}` } };
    }
    return { ok: true, channels: [...new Set(value as string[])].sort() };
  }
  return { ok: false, error: { pointer, detail: `${what} ${describe(value)}: channels must be a string, an array of strings, or null` } };
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * Whether a version with `channels` is visible under the read grant `grant` (channel names;
 * `*` matches everything, items without channels included). An item without channels is
 * visible only under `*`.
 */
export function visibleUnder(channels: readonly string[], grant: readonly string[]): boolean {
  return grant.includes(ALL_CHANNELS) || channels.some((channel) => grant.includes(channel));
}
