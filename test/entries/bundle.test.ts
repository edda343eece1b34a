import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { build } from 'esbuild';
import { noNodeBuiltins } from '../support/browser.js';

/**
 * The package's entry points (package.json `exports`, DESIGN §8): each resolves by its name
 * with its type declarations, and halsync/client and halsync/idb bundle for a browser (esbuild,
 * platform 'browser', as an app's bundler would take them) with no Node built-in, no got and
 * no server code: the build fails on any of them.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

interface Bundled {
  inputs: string[];
  code: string;
}

async function bundle(specifier: string): Promise<Bundled> {
  const result = await build({
    stdin: { contents: `export * from '${specifier}';`, resolveDir: ROOT },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [noNodeBuiltins],
  });
  return { inputs: Object.keys(result.metafile.inputs), code: result.outputFiles[0]!.text };
}

describe('entry points', function () {
  this.timeout(60_000);

  for (const specifier of ['halsync/client', 'halsync/idb']) {
    it(`bundles ${specifier} for a browser: no Node built-in, no got, no server code`, async function () {
      const { inputs, code } = await bundle(specifier);
      expect(inputs.length).to.be.greaterThan(0);
      // Node's globals are not imports: a page has no Buffer, process or setImmediate either.
      expect(code.match(/\bBuffer\.\w+|\bprocess\.\w+|\bsetImmediate\b/g) ?? []).to.deep.equal([]);
      const forbidden = inputs.filter((i) =>
        /node_modules\/got\/|transport-got|client\/state-file\.js|\/lib\/server\/|\/lib\/cli\/|better-sqlite3|node_modules\/pg\//.test(i),
      );
      expect(forbidden).to.deep.equal([]);
    });
  }

  it('speaks through fetch in the browser build, got on Node', async function () {
    const { inputs } = await bundle('halsync/client');
    expect(inputs).to.include('dist/lib/client/transport-default-browser.js');
    expect(inputs).to.not.include('dist/lib/client/transport-default.js');
    const { defaultTransport } = await import('../../lib/client/transport-default.js');
    const { GotTransport } = await import('../../lib/client/transport-got.js');
    const transport = defaultTransport({ concurrency: 1 });
    expect(transport).to.be.instanceOf(GotTransport);
    transport.close();
  });

  it('resolves halsync, halsync/client, halsync/idb and halsync/server by name, each with its declarations', async function () {
    const pkg = JSON.parse(await readFile(new URL('package.json', `file://${ROOT}`), 'utf8')) as {
      exports: Record<string, { types?: string; import?: string }>;
    };
    for (const name of ['.', './client', './idb', './server']) {
      const entry = pkg.exports[name]!;
      expect(existsSync(new URL(entry.import!, `file://${ROOT}`)), `${name}: ${entry.import}`).to.equal(true);
      expect(existsSync(new URL(entry.types!, `file://${ROOT}`)), `${name}: ${entry.types}`).to.equal(true);
    }
    const [all, client, idb, server] = await Promise.all([import('halsync'), import('halsync/client'), import('halsync/idb'), import('halsync/server')]);
    expect([typeof all.syncStore, typeof all.createApp, typeof all.IdbStore]).to.deep.equal(['function', 'function', 'function']);
    expect([typeof client.syncStore, typeof client.LocalItems, typeof client.MemoryStore, typeof client.FetchTransport]).to.deep.equal([
      'function',
      'function',
      'function',
      'function',
    ]);
    expect(Object.keys(client)).to.not.include('createApp');
    expect(Object.keys(idb)).to.deep.equal(['IdbStore']);
    expect(typeof server.createApp).to.equal('function');
  });
});
