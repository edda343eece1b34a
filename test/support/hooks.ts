import type { Context, Func, Test } from 'mocha';
import { takeViolations, type Violation } from './contract.js';
import { takeServerErrors } from './server.js';

/**
 * Mocha root hooks (registered in .mocharc.json): a test during which a node answered
 * outside the OpenAPI document fails, with every violation in its message; so does a test
 * during which a node failed on its own side (an error behind a 5xx, see startNode).
 *
 * The check runs inside the test itself — its function is wrapped before it runs — rather
 * than in an afterEach hook, because a failing afterEach hook makes mocha skip the rest of
 * the suite, where a failing test does not. Violations recorded in before() hooks are
 * reported by the first test that follows them; those of after() hooks by the root after().
 */
const WRAPPED = Symbol('contract-checked');

export const mochaHooks = {
  beforeEach(this: Context): void {
    const test = this.currentTest as (Test & { [WRAPPED]?: boolean }) | undefined;
    if (!test?.fn || test[WRAPPED]) return;
    test[WRAPPED] = true;
    const original = test.fn;
    test.fn = original.length > 0 ? withCallback(original) : withPromise(original);
  },
  afterAll(): void {
    assertNoViolations();
  },
};

function withPromise(original: Func): Func {
  return async function (this: Context) {
    await (original as (this: Context) => unknown).call(this);
    assertNoViolations();
  } as Func;
}

function withCallback(original: Func): Func {
  return function (this: Context, done: (err?: unknown) => void) {
    original.call(this, (err?: unknown) => {
      if (err) return done(err);
      try {
        assertNoViolations();
        done();
      } catch (error) {
        done(error);
      }
    });
  } as Func;
}

function assertNoViolations(): void {
  const violations = takeViolations();
  const errors = takeServerErrors();
  if (violations.length > 0) throw new ContractViolation(violations);
  if (errors.length > 0) throw new ServerFailed(errors);
}

export class ContractViolation extends Error {
  constructor(readonly violations: Violation[]) {
    const lines = violations.flatMap((v) => [`${v.request} → ${v.status}`, ...v.problems.map((p) => `  ${p}`)]);
    super(`responses outside the OpenAPI document (openapi/openapi.yaml):\n${lines.join('\n')}`);
    this.name = 'ContractViolation';
  }
}

export class ServerFailed extends Error {
  constructor(readonly errors: string[]) {
    super(`a node failed on its own side while this test ran:\n${errors.join('\n')}`);
    this.name = 'ServerFailed';
  }
}
