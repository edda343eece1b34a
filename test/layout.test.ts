import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * test/ mirrors lib/: the test of lib/a/b.ts is test/a/b.test.ts, for every module that declares
 * anything: code, and also the interfaces other modules implement (a contract module's test holds
 * its implementations to it and to one another). Only an export list (lib/index.ts, the entry
 * points) needs none. Cross-cutting suites (test/reliability/, test/bench/, test/support/) and
 * suites across several modules live beside the mirrors.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Single modules allowed to lack a mirrored test, each with why; remove an entry once its test exists. */
const EXCEPTIONS: Record<string, string> = {};

function modules(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return modules(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Whether the module declares anything (code, types, interfaces), not just imports and re-exports. */
function hasLogic(path: string): boolean {
  const source = ts.createSourceFile(path, readFileSync(join(ROOT, path), 'utf8'), ts.ScriptTarget.ES2022);
  return source.statements.some((s) => !ts.isImportDeclaration(s) && !ts.isExportDeclaration(s));
}

function mirrorOf(module: string): string {
  return module.replace(/^lib\//, 'test/').replace(/\.ts$/, '.test.ts');
}

describe('test/ mirrors lib/', () => {
  const all = modules('lib');

  it('has test/a/b.test.ts for every lib/a/b.ts with logic, but for the listed exceptions', () => {
    const excepted = (m: string) => m in EXCEPTIONS;
    const missing = all.filter((m) => hasLogic(m) && !excepted(m) && !existsSync(join(ROOT, mirrorOf(m))));
    expect(missing.map((m) => `${m} has no ${mirrorOf(m)}`)).to.deep.equal([]);
  });

  it('lists as exceptions only modules that exist, have logic and still lack their test', () => {
    const stale = Object.keys(EXCEPTIONS).filter((m) => !all.includes(m) || !hasLogic(m) || existsSync(join(ROOT, mirrorOf(m))));
    expect(stale, 'remove these from EXCEPTIONS').to.deep.equal([]);
  });

  it('tells a module that declares something (code or a contract) from an export list', () => {
    expect(hasLogic('lib/index.ts')).to.equal(false);
    expect(hasLogic('lib/entries/idb.ts')).to.equal(false);
    expect(hasLogic('lib/protocol/cursor.ts')).to.equal(true);
    expect(hasLogic('lib/store/store.ts')).to.equal(true);
    expect(hasLogic('lib/client/transport.ts')).to.equal(true);
  });
});
