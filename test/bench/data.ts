import type { Json } from '../../lib/protocol/types.js';
import { seededRandom as random } from '../support/random.js';

export { random };

/**
 * The benchmark's data, the same on every run: a seeded generator gives the
 * UUIDs and about 200 bytes of JSON per item, so figures compare across runs and machines.
 */

/** A version 4 UUID from the generator. */
export function uuid(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((Math.floor(next() * 4) + 8) as number).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];

/** About 200 bytes of JSON: the shape of a typical small record. */
export function itemData(next: () => number, revision: number): Json {
  const word = () => WORDS[Math.floor(next() * WORDS.length)]!;
  return {
    title: `${word()} ${word()} ${word()}`,
    owner: `${word()}@example.org`,
    status: next() < 0.5 ? 'open' : 'closed',
    priority: Math.floor(next() * 5),
    revision,
    tags: [word(), word()],
    note: `${word()} ${word()} ${word()} ${word()} ${word()} ${word()}`.slice(0, 40),
    amount: Math.round(next() * 1e6) / 100,
  };
}

/** The ids of the N items: item i has the same id in every run with the same seed. */
export function itemIds(n: number, seed = 1): string[] {
  const next = random(seed);
  return Array.from({ length: n }, () => uuid(next));
}

/**
 * Which items phase B changes, by index into the ids: K on each side only, `both` on both
 * sides (conflicts), `deletes` deleted on each side. Disjoint ranges from the start of the log.
 */
export interface PhaseBPlan {
  localOnly: [number, number];
  remoteOnly: [number, number];
  both: [number, number];
  localDeletes: [number, number];
  remoteDeletes: [number, number];
}

export function phaseBPlan(n: number, k: number, both: number, deletes: number): PhaseBPlan {
  const ranges: Array<[number, number]> = [];
  let at = 0;
  for (const size of [k, k, both, deletes, deletes]) {
    ranges.push([at, at + size]);
    at += size;
  }
  if (at > n) throw new Error(`phase B changes ${at} items but there are only N = ${n}`);
  const [localOnly, remoteOnly, shared, localDeletes, remoteDeletes] = ranges as [
    [number, number],
    [number, number],
    [number, number],
    [number, number],
    [number, number],
  ];
  return { localOnly, remoteOnly, both: shared, localDeletes, remoteDeletes };
}
