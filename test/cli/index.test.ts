import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { halsync } from '../support/serve.js';

/** The command unbundled, as `npm start` runs it (the `bin` is the bundle: test/cli/bin.test.ts). */
const INDEX = fileURLToPath(new URL('../../lib/cli/index.js', import.meta.url));
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('cli/index: the command run from dist/lib/cli/', () => {
  it('runs the command line it is given: the version, and a usage error with exit 1', async () => {
    const shown = await halsync(['--version'], { script: INDEX });
    expect(shown.code).to.equal(0);
    expect(shown.stdout.trim()).to.equal(version);
    const refused = await halsync(['sync', '--nope', '--json', 'http://127.0.0.1:9/'], { script: INDEX });
    expect(refused.code).to.equal(1);
    expect(JSON.parse(refused.stdout)).to.deep.equal({ error: { type: 'usage', title: 'Invalid command line', detail: "unknown option '--nope'" } });
  });
});
