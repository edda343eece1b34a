// The `halsync` bin, dist/lib/bin/halsync.cjs, and the command it runs, dist/lib/bin/command.cjs:
// lib/cli/program.ts and everything it loads but the server as one minified CommonJS bundle,
// compiled with V8's code cache for it, command.cache (lib/cli/code-cache.ts says why and how;
// scripts/train-code-cache.mjs makes the cache by running a sync). Run by `npm run build` after
// tsc (it bundles the compiled dist/lib). A sync's start-up was mostly Node resolving, reading
// and compiling got's and commander's two hundred files one by one, then compiling the bundle
// they became; CommonJS also spares the command Node's ES module loader. The server stays out
// (program.ts imports it by a path esbuild does not follow): it reads files next to its modules,
// so it runs from dist/lib/cli/. Native and optional drivers stay external too.
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, rmSync } from 'node:fs';
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
 * No `import()` may stay in the command (lib/cli/code-cache.ts says why): lib/store/open.ts's
 * import of a Node-only store, by a specifier no bundler follows, becomes one esbuild bundles
 * (the stores then share the command's classes), and program.ts's import of the server goes
 * through the loader's `__importModule`. Fails the build if either source changed.
 */
const NO_DYNAMIC_IMPORT = {
  'store/open.js': [
    'return import(resolved)',
    "return { './sqlite.js': () => import('./sqlite.js'), './postgres.js': () => import('./postgres.js'), 'node:path': async () => require('node:path') }[specifier]()",
  ],
  'cli/program.js': ['await import(SERVE_MODULE)', 'await __importModule(SERVE_MODULE)'],
};
const noDynamicImport = {
  name: 'no-dynamic-import',
  setup(b) {
    b.onLoad({ filter: /(store[\\/]open|cli[\\/]program)\.js$/ }, (args) => {
      const [from, to] = NO_DYNAMIC_IMPORT[args.path.split(/[\\/]/).slice(-2).join('/')];
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(from)) throw new Error(`${args.path}: no ${from} to replace (bundle-cli.mjs)`);
      return { contents: source.replace(from, to), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minify: true,
  // Error classes keep their names (the command's messages and `instanceof` checks name them).
  keepNames: true,
  // What the command finds by its own URL (package.json, spec/, the server) is found from dist/lib/bin/.
  define: { 'import.meta.url': '__bundleUrl' },
  banner: { js: 'var __bundleUrl = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
};

rmSync(OUT, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['dist/lib/cli/program.js'],
  outfile: `${OUT}/command.cjs`,
  external: ['better-sqlite3', 'pg', 'pg-native'],
  plugins: [noDynamicImport, gotUnused, lazyListFormat],
});
if (/\bimport\(/.test(readFileSync(`${OUT}/command.cjs`, 'utf8'))) throw new Error(`${OUT}/command.cjs: an import() the code cache would break`);
await build({
  ...common,
  stdin: {
    contents: [
      '#!/usr/bin/env node',
      "import { compileCommand } from './code-cache.js';",
      "compileCommand(new URL('./command.cjs', import.meta.url)).exports.runCommand(process.argv);",
    ].join('\n'),
    resolveDir: 'dist/lib/cli',
    sourcefile: 'halsync.cjs',
  },
  outfile: `${OUT}/halsync.cjs`,
});
chmodSync(`${OUT}/halsync.cjs`, 0o755);

// Without a cache the command runs all the same, only slower to start: say so, do not fail the build.
const trained = spawnSync(process.execPath, ['scripts/train-code-cache.mjs'], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', timeout: 60_000 });
if (trained.status !== 0) console.warn(`bundle-cli: no code cache for the command (${trained.error?.message ?? trained.stderr.trim()})`);
