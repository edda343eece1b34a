import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { cacheFileOf, compileCommand } from '../../lib/cli/code-cache.js';

const LOADER = new URL('../../lib/cli/code-cache.js', import.meta.url).href;

/** A bundle of the shape esbuild writes: CommonJS, `require` for built-ins, `__importModule` for import(). */
const bundle = (answer: string) => `"use strict";
const { sep } = require('node:path');
module.exports.answer = function answer() { return ${answer}; };
module.exports.sep = () => sep;
module.exports.cpus = async () => typeof (await __importModule('node:os')).cpus;
`;

/** Compiles the bundle in a fresh Node process, runs its functions, and saves the cache if asked. */
async function inProcess(file: string, save: boolean): Promise<{ cache: string; answer: unknown; cpus: unknown }> {
  const script = `
    import { compileCommand } from ${JSON.stringify(LOADER)};
    const command = compileCommand(new URL(${JSON.stringify(pathToFileURL(file).href)}));
    const result = { cache: command.cache, answer: command.exports.answer(), cpus: await command.exports.cpus() };
    if (${save}) command.saveCache();
    console.log(JSON.stringify(result));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { cache: string; answer: unknown; cpus: unknown };
}

describe('cli/code-cache: the command compiled with V8 code cache, never with another source’s', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'halsync-code-cache-'));
    file = join(dir, 'command.cjs');
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  /** Writes the bundle answering `answer` and the cache this process makes of it. */
  async function cached(answer: string): Promise<void> {
    await writeFile(file, bundle(answer));
    compileCommand(pathToFileURL(file)).saveCache();
  }

  it('runs a bundle without a cache, saves one beside it, and starts from it next time', async () => {
    await writeFile(file, bundle('42'));
    const first = compileCommand(pathToFileURL(file));
    expect(first.cache).to.equal('none');
    expect((first.exports.answer as () => number)()).to.equal(42);
    expect((first.exports.sep as () => string)(), 'its require').to.equal(sep);
    first.saveCache();
    expect(cacheFileOf(pathToFileURL(file)).href).to.equal(pathToFileURL(join(dir, 'command.cache')).href);
    // Written aside and renamed: nothing else is left in the folder.
    expect(readdirSync(dir).sort()).to.deep.equal(['command.cache', 'command.cjs']);
    const second = compileCommand(pathToFileURL(file));
    expect(second.cache).to.equal('accepted');
    expect((second.exports.answer as () => number)()).to.equal(42);
  });

  it('compiles afresh a bundle edited since its cache was made, even at the same length', async () => {
    await cached('42');
    // V8 alone would take this cache: it checks the source's length, not its text.
    await writeFile(file, bundle('43'));
    const edited = compileCommand(pathToFileURL(file));
    expect(edited.cache).to.equal('stale');
    expect((edited.exports.answer as () => number)()).to.equal(43);
  });

  it('runs the bundle when V8 refuses the cache, or the cache file is cut short', async () => {
    await cached('42');
    const cacheFile = cacheFileOf(pathToFileURL(file));
    const saved = await readFile(cacheFile);
    // The right source hash before bytes that are no code cache at all.
    await writeFile(cacheFile, Buffer.concat([saved.subarray(0, 32), Buffer.alloc(saved.length - 32, 7)]));
    // In a fresh process: this one holds the compiled script already and would not read the cache.
    expect(await inProcess(file, false)).to.deep.equal({ cache: 'rejected', answer: 42, cpus: 'function' });
    await writeFile(cacheFile, saved.subarray(0, 32));
    expect(compileCommand(pathToFileURL(file)).cache).to.equal('stale');
  });

  it('imports through __importModule from a cache another process made (Node 20 loses import() there)', async () => {
    await writeFile(file, bundle('42'));
    expect(await inProcess(file, true)).to.deep.equal({ cache: 'none', answer: 42, cpus: 'function' });
    expect(existsSync(join(dir, 'command.cache'))).to.equal(true);
    expect(await inProcess(file, false)).to.deep.equal({ cache: 'accepted', answer: 42, cpus: 'function' });
  });
});
