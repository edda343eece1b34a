// The `halsync` bin, dist/lib/bin/halsync.js: the command as one minified ESM bundle with one
// chunk per command, loaded by its action. Run by `npm run build` after tsc (it bundles the
// compiled dist/lib). A sync's start-up was mostly Node resolving, reading and compiling got's
// and commander's two hundred files one by one; bundled they load as a few. The server stays
// out (lib/cli/index.ts imports it by a path esbuild leaves alone): it reads files next to its
// modules, so it runs from dist/lib/cli/. Native and optional drivers stay external too.
import { readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { build } from 'esbuild';

const OUT = 'dist/lib/bin';

/**
 * got's optional features the client never turns on (lib/client/transport-got.ts sets no `http2`,
 * `cache`, `dnsCache` or `form`), left out of the command: a third of got's code with the
 * packages behind it, and Node's http2, which loading them would pull in at every start. Each
 * stands in with what got touches when the feature is off (an `isFormData` that says no, a
 * `CacheError` class for its `instanceof`), and fails by name if anything ever turns one on.
 * The library (dist/lib) keeps got whole.
 */
const unused = (feature) => `throw new Error('the halsync command is built without the ${feature} of got')`;
const GOT_UNUSED = {
  'http2-wrapper': `export default { get auto() { ${unused('http2 option')} }, get globalAgent() { ${unused('http2 option')} } };`,
  'cacheable-lookup': `export default class CacheableLookup { constructor() { ${unused('dnsCache option')} } }`,
  'cacheable-request': `export default class CacheableRequest { constructor() { ${unused('cache option')} } }\nexport class CacheError extends Error {}`,
  'form-data-encoder': `export const isFormData = () => false;\nexport class FormDataEncoder { constructor() { ${unused('form bodies')} } }`,
};
const gotUnused = {
  name: 'got-unused',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(GOT_UNUSED).join('|')})$`) }, (args) => ({ path: args.path, namespace: 'got-unused' }));
    b.onLoad({ filter: /.*/, namespace: 'got-unused' }, (args) => ({ contents: GOT_UNUSED[args.path], loader: 'js' }));
  },
};

/**
 * got's type checks (@sindresorhus/is) build two `Intl.ListFormat`s when loaded, for the wording
 * of a failed check: the first Intl object of a process loads ICU's data, ≈ 10 ms of every start.
 * In the command each is built when a message needs it. Fails the build if the source changed.
 */
const lazyListFormat = {
  name: 'lazy-list-format',
  setup(b) {
    b.onLoad({ filter: /@sindresorhus[\\/]is[\\/]distribution[\\/]index\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const contents = source.replaceAll(/new Intl\.ListFormat\(([^)]*)\)/g, '{ format: (list) => new Intl.ListFormat($1).format(list) }');
      if (contents === source) throw new Error(`${args.path}: no Intl.ListFormat to defer (bundle-cli.mjs)`);
      return { contents, loader: 'js' };
    });
  },
};

/**
 * Node's built-ins reached by `require` (the banner's), not by `import`: an ESM import of a
 * built-in builds its module facade, which reads every export and so runs the lazy getters behind
 * them (crypto's webcrypto, buffer's File, net's BlockList, util's MIMEType, process.report…),
 * ≈ 3 ms of every start. A CommonJS stand-in leaves each export unread until the code uses it.
 */
const builtinsByRequire = {
  name: 'builtins-by-require',
  setup(b) {
    b.onResolve({ filter: /^[a-z:_/]+$/ }, (args) =>
      args.kind === 'import-statement' && isBuiltin(args.path) ? { path: args.path.replace(/^(node:)?/, 'node:'), namespace: 'builtin' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin' }, (args) => ({ contents: `module.exports = require(${JSON.stringify(args.path)});`, loader: 'js' }));
  },
};

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
  plugins: [gotUnused, lazyListFormat, builtinsByRequire],
  logLevel: 'warning',
});
