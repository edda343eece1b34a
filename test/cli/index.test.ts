import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';

/** The command unbundled, as `npm start` runs it (the `bin` is the bundle: test/cli/bin.test.ts). */
const INDEX = fileURLToPath(new URL('../../lib/cli/index.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('cli/index: the command run from dist/lib/cli/', () => {
  it('runs the command line it is given: the version, and a usage error with exit 1', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [INDEX, '--version']);
    expect(stdout.trim()).to.equal(version);
    const refused = await promisify(execFile)(process.execPath, [INDEX, 'sync', '--nope', '--json', 'http://127.0.0.1:9/']).then(
      () => expect.fail('exit 0'),
      (error: { code: number; stdout: string }) => error,
    );
    expect(refused.code).to.equal(1);
    expect(JSON.parse(refused.stdout)).to.deep.equal({ error: { type: 'usage', title: 'Invalid command line', detail: "unknown option '--nope'" } });
  });
});
