import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLI } from '../support/serve.js';
import { startNode } from '../support/server.js';
import { newId, put, stateFile } from '../support/sync.js';

const ROOT = new URL('../../../', import.meta.url);
/** Prints, as the command exits, the Node built-ins it loaded. */
const REPORT_BUILTINS = `data:text/javascript,process.on('exit', () => process.stderr.write('builtins: ' + process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join(' ') + '\\n'))`;

const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string; bin: { halsync: string } };
/** The command the bin runs (scripts/bundle-cli.mjs). */
const COMMAND = new URL('command.cjs', new URL(pkg.bin.halsync, ROOT));

describe('the halsync bin (the bundle scripts/bundle-cli.mjs writes)', () => {
  it('is what package.json names, and what the tests run', () => {
    expect(fileURLToPath(new URL(pkg.bin.halsync, ROOT))).to.equal(CLI);
  });

  it('prints the package version', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [CLI, '--version']);
    expect(stdout.trim()).to.equal(pkg.version);
  });

  it('leaves the server out: it runs from dist/lib/cli/, next to the files it reads', () => {
    const bundle = new URL('.', new URL(pkg.bin.halsync, ROOT));
    const text = readdirSync(bundle)
      .filter((file) => file.endsWith('.cjs'))
      .map((file) => readFileSync(new URL(file, bundle), 'utf8'))
      .join('\n');
    expect(text).to.include('serve.js');
    expect(text).not.to.include('koa-compose');
  });

  it('starts from a code cache made from its own bundle, one this Node takes', async () => {
    const script = `import { compileCommand } from ${JSON.stringify(new URL('dist/lib/cli/code-cache.js', ROOT).href)};
      console.log(compileCommand(new URL(${JSON.stringify(COMMAND.href)})).cache);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
    expect(stdout.trim()).to.equal('accepted');
  });

  it("syncs over got without loading what it does not use: no node:http2, no ICU data, no built-in's unread exports", async () => {
    const a = await startNode();
    const b = await startNode();
    try {
      const id = newId();
      await put(a.store, id, { over: 'got' });
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [
        '--import',
        REPORT_BUILTINS,
        CLI,
        'sync',
        a.url,
        b.url,
        '--json',
        '--state',
        await stateFile(),
      ]);
      expect(JSON.parse(stdout)).to.include({ pushed: 1 });
      expect((await b.store.getItem('items', id))?.data).to.deep.equal({ over: 'got' });
      const builtins = /builtins: (.*)/.exec(stderr)![1]!.split(' ');
      expect(builtins).to.include.members(['http', 'https', 'zlib']).and.not.include('http2');
      // Built-ins come in by require: an ESM import would build crypto's facade, reading its webcrypto.
      expect(builtins).to.include('crypto').and.not.include('internal/crypto/webcrypto');
      // got's type checks word their errors with Intl.ListFormat; building one loads ICU's data.
      expect(readFileSync(COMMAND, 'utf8')).not.to.match(/[=,]new Intl\.ListFormat/);
    } finally {
      await a.close();
      await b.close();
    }
  });
});
