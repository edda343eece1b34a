/**
 * How both sides run zlib: the node on request bodies and answers (lib/server/http), the Node
 * client on uploads and answers (lib/client/transport-got.ts). Plain numbers, so this module
 * loads in a page too.
 */

/**
 * zlib's output buffer. At its default, 16 KiB, a sync log of a thousand entries comes out in
 * some twenty pieces, each a callback, a buffer and a copy: at 256 KiB inflating one costs about a
 * third of the CPU and deflating one a sixth less (measured on a 536 KB page, level 1).
 */
export const ZLIB_CHUNK = 256 * 1024;

/**
 * zlib's Z_BEST_SPEED: a log page or sync log of JSON still shrinks about fourfold, for a fraction
 * of the default level's CPU (measured with test/bench).
 */
export const GZIP_LEVEL = 1;
