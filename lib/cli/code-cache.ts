import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';

/**
 * The `halsync` bin runs the command from a CommonJS bundle compiled with V8's code cache for it
 * (scripts/bundle-cli.mjs writes both; scripts/train-code-cache.mjs makes the cache by running a
 * sync, so it holds the bytecode of every function a sync calls, not only the top level's).
 * Without it a fresh process spends a sixth of a no-op sync compiling got and the client.
 * Node 22 offers this as `module.enableCompileCache()`; Node 20 has only `vm.Script`'s
 * `cachedData`, so the command does it here.
 *
 * V8 checks a cache against its own version and flags, but against the source only by its
 * length: an edited bundle of the same length would run the old bytecode. So the cache file
 * starts with the SHA-256 of the source it was made from, and any other source compiles afresh.
 *
 * Node 20 loses a script's `import()` callback when the script comes from a cache made in
 * another process ("A dynamic import callback was not specified"), so the bundle has no
 * `import()` of its own: it calls `__importModule`, which imports from this module instead.
 */
const HASH_BYTES = 32;

/** What became of the cache: none found, used, refused by V8 (another Node, other flags), or made from another source. */
export type CacheUse = 'none' | 'accepted' | 'rejected' | 'stale';

export interface CompiledCommand {
  /** The bundle's `module.exports`. */
  readonly exports: Record<string, unknown>;
  readonly cache: CacheUse;
  /** Writes this script's code cache, as far as it has run, for the next process. */
  saveCache(): void;
}

/** The cache file of a bundle: beside it, `.cache` for its extension. */
export function cacheFileOf(bundle: URL): URL {
  return new URL(bundle.href.replace(/\.c?js$/, '') + '.cache');
}

function readCache(file: URL, sourceHash: Buffer): { data?: Buffer; use: CacheUse } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    return { use: 'none' };
  }
  if (bytes.length <= HASH_BYTES || !bytes.subarray(0, HASH_BYTES).equals(sourceHash)) return { use: 'stale' };
  return { data: bytes.subarray(HASH_BYTES), use: 'accepted' };
}

/**
 * Compiles and runs a CommonJS bundle as Node would `require` it, with its code cache when one
 * was made from this very source; without one it runs all the same. `__importModule(specifier)`
 * stands in for `import()` in it: give it absolute URLs or built-ins' names.
 */
export function compileCommand(bundle: URL): CompiledCommand {
  const path = fileURLToPath(bundle);
  const source = readFileSync(path, 'utf8');
  const sourceHash = createHash('sha256').update(source).digest();
  const cacheFile = cacheFileOf(bundle);
  const cached = readCache(cacheFile, sourceHash);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __importModule) {${source}\n})`, {
    filename: path,
    cachedData: cached.data,
  });
  const module = { exports: {} as Record<string, unknown> };
  const importModule = (specifier: string) => import(specifier);
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(path), module, path, dirname(path), importModule);
  return {
    exports: module.exports,
    cache: cached.data && script.cachedDataRejected ? 'rejected' : cached.use,
    saveCache() {
      // Written aside and renamed: a command starting meanwhile reads the old cache or the new, never half of one.
      const aside = `${fileURLToPath(cacheFile)}.${process.pid}`;
      writeFileSync(aside, Buffer.concat([sourceHash, script.createCachedData()]));
      renameSync(aside, cacheFile);
    },
  };
}
