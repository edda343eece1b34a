// The `halsync` bin, dist/lib/bin/halsync.js: the command as one minified ESM bundle with one
// chunk per command, loaded by its action. Run by `npm run build` after tsc (it bundles the
// compiled dist/lib). A sync's start-up was mostly Node resolving, reading and compiling got's
// and commander's two hundred files one by one; bundled they load as a few. The server stays
// out (lib/cli/index.ts imports it by a path esbuild leaves alone): it reads files next to its
// modules, so it runs from dist/lib/cli/. Native and optional drivers stay external too.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const OUT = 'dist/lib/bin';

// Chunk names carry a hash: clear the old ones, or `npm pack` would ship them all.
rmSync(OUT, { recursive: true, force: true });
await build({
  // lib/store/open.ts imports the Node-only stores by a path no bundler follows ('./sqlite.js'
  // beside the importing module): each is an entry of its own, next to the chunks that import it.
  entryPoints: { halsync: 'dist/lib/cli/index.js', sqlite: 'dist/lib/store/sqlite.js', postgres: 'dist/lib/store/postgres.js' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  // Error classes keep their names (the command's messages and `instanceof` checks name them).
  keepNames: true,
  chunkNames: '[name]-[hash]',
  external: ['better-sqlite3', 'pg', 'pg-native'],
  // CommonJS dependencies (commander) require Node built-ins: give the ESM bundle a `require`.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  logLevel: 'warning',
});
