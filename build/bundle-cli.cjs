// `npm run build` runs this after tsc: the `halsync` bin as one ESM bundle, dist/lib/bin/halsync.js,
// with one chunk per command loaded by its action. A sync's start-up was mostly Node resolving,
// reading and compiling got's and commander's two hundred files one by one; bundled and
// minified they load as a few. The server stays out (lib/cli/index.ts imports it by a path
// esbuild leaves alone): it reads files next to its modules, so it runs from dist/lib/cli/.
// Native and optional drivers stay external too, loaded from node_modules as before.
const { rmSync } = require('node:fs');
const esbuild = require('esbuild');

const outdir = 'dist/lib/bin';
// Chunk names carry a hash: clear the old ones, or `npm pack` would ship them all.
rmSync(outdir, { recursive: true, force: true });
esbuild.buildSync({
  entryPoints: { halsync: 'dist/lib/cli/index.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Error classes keep their names (the CLI's messages and `instanceof` checks name them).
  keepNames: true,
  chunkNames: '[name]-[hash]',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // CommonJS dependencies (commander) require Node built-ins: give the ESM bundle a `require`.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
