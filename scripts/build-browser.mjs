// The prebuilt browser bundle, dist/browser/halsync.js: what halsync/client and halsync/idb
// export, as one minified ES module a page loads with no bundler. Run by `npm run build` after
// tsc (it bundles the compiled dist/lib); prints the gzipped size and fails past the budget.
import { mkdir, writeFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUT = 'dist/browser/halsync.js';
/** The budget of issue 14: a replica's whole client under 60 kB on the wire. */
const BUDGET = 60 * 1024;

/** Fails the build on any Node built-in, naming the module that imports it. */
export const noNodeBuiltins = {
  name: 'no-node-builtins',
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(node:|(${builtinModules.join('|')})(/|$))`) }, (args) => ({
      errors: [{ text: `${args.importer} imports ${args.path}, which a browser does not have` }],
    }));
  },
};

/** Bundles the browser build (package.json `browser` swaps got for fetch); answers the code and what went in. */
export async function bundleBrowser({ minify = true } = {}) {
  const result = await build({
    stdin: {
      contents: "export * from './dist/lib/entries/client.js';\nexport * from './dist/lib/entries/idb.js';\n",
      resolveDir: ROOT,
      sourcefile: 'halsync-browser.js',
    },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    minify,
    legalComments: 'none',
    metafile: true,
    write: false,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  return { code: result.outputFiles[0].contents, inputs: Object.keys(result.metafile.inputs) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { code } = await bundleBrowser();
  await mkdir(new URL('../dist/browser/', import.meta.url), { recursive: true });
  await writeFile(new URL(`../${OUT}`, import.meta.url), code);
  const gzipped = gzipSync(code, { level: 9 }).length;
  const kB = (n) => `${(n / 1024).toFixed(1)} kB`;
  console.log(`${OUT}: ${kB(code.length)} minified, ${kB(gzipped)} gzipped (budget ${kB(BUDGET)})`);
  if (gzipped >= BUDGET) {
    console.error(`${OUT} is over its budget of ${kB(BUDGET)} gzipped`);
    process.exit(1);
  }
}
