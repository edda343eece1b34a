/**
 * A small seeded PRNG (mulberry32) for tests and the benchmark: the same seed, the same
 * sequence, so a failing fault schedule or a benchmark's data can be reproduced.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses HALSYNC_SEED: a replayed run must use exactly the seed given, so anything else is refused. */
function seedFromEnvironment(): number | undefined {
  // The store conformance suite also runs in a browser page (test/store/idb-page.ts), which has no `process`.
  const given = typeof process === 'undefined' ? undefined : process.env['HALSYNC_SEED'];
  if (given === undefined || given === '') return undefined;
  if (!/^\d+$/.test(given) || Number(given) >= 2 ** 31) throw new Error(`HALSYNC_SEED must be an integer in [0, 2^31), not "${given}"`);
  return Number(given);
}

/**
 * The seed of this test run: HALSYNC_SEED when given, to replay a run, else a fresh one. Every
 * random test draws from it (or from seeds derived from it), so one number replays them all.
 */
export const TEST_SEED: number = seedFromEnvironment() ?? Math.floor(Math.random() * 2 ** 31);

/** Prints the run's seed for a random test (indented under it, as mocha prints) and returns it. */
export function testSeed(what: string): number {
  console.log(`      ${what}: seed ${TEST_SEED} (HALSYNC_SEED=${TEST_SEED} to replay)`);
  return TEST_SEED;
}
