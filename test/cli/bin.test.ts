import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { CLI } from '../support/serve.js';

const ROOT = new URL('../../../', import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as { version: string; bin: { halsync: string } };

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
      .map((file) => readFileSync(new URL(file, bundle), 'utf8'))
      .join('\n');
    expect(text).to.include('serve.js');
    expect(text).not.to.include('koa-compose');
  });
});
