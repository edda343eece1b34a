import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openStore } from '../lib/store/open.js';
import { startNode, type StartedNode } from './support/server.js';
import { contents, newId, put } from './support/sync.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const DIR = join(ROOT, 'test-output', 'readme');
const run = promisify(execFile);

/** The README's embedding example, as a newcomer would paste it. */
async function embeddingExample(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Embedding'));
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  if (!block) expect.fail('the README has a TypeScript example under "## Embedding"');
  return block[1]!;
}

describe('README', function () {
  this.timeout(120_000);
  let node: StartedNode;
  before(async () => {
    node = await startNode();
    await rm(DIR, { recursive: true, force: true });
    await mkdir(DIR, { recursive: true });
  });
  after(async () => node.close());

  it('the embedding example type-checks against the package and syncs a local store with a node', async () => {
    const example = await embeddingExample();
    expect(example).to.match(/from 'halsync'/);
    const itemId = newId();
    await put(node.store, itemId, { title: 'from the node' });
    const storePath = join(DIR, 'replica.db');
    // Only the addresses change: the store file and the node under test.
    const source = example.replace(/'sqlite:[^']*'/, `'sqlite:${storePath}'`).replace(/'http:\/\/127\.0\.0\.1:3000\/'/, `'${node.url}'`);
    expect(source).to.not.equal(example);
    const file = join(DIR, 'example.mts');
    await writeFile(file, source);
    // The package resolves itself by name ("exports"), as it would for a user who installed it.
    const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    // The strictest settings a user's project may have: exactOptionalPropertyTypes refuses `token: process.env.X`.
    const flags = ['--strict', '--exactOptionalPropertyTypes', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
    await run(process.execPath, [tsc, ...flags, '--skipLibCheck', '--types', 'node', file], { cwd: ROOT }).catch((error: { stdout?: string }) => {
      throw new Error(`the example does not type-check:\n${error.stdout ?? String(error)}`);
    });
    const { stdout } = await run(process.execPath, [file.replace(/\.mts$/, '.mjs')], { cwd: ROOT, env: { ...process.env, HALSYNC_TOKEN: '' } });
    expect(stdout.trim()).to.equal('1 pulled, 1 pushed, 0 conflicts');
    const store = await openStore(`sqlite:${storePath}`);
    try {
      expect((await contents(store))[itemId]).to.deep.equal({ title: 'from the node' });
      // The note the example wrote through LocalItems reached the node.
      const titles = Object.values(await contents(node.store)).map((data) => (data as { title: string }).title);
      expect(titles.sort()).to.deep.equal(['from the node', 'written offline']);
    } finally {
      await store.close();
    }
  });
});
