// chai 6 ships no types and @types/chai is not installed: just enough for expect-style tests.
declare module 'chai' {
  interface Assertion {
    (...args: unknown[]): Assertion;
    [chain: string]: Assertion & ((...args: unknown[]) => Assertion);
  }
  export function expect(value: unknown, message?: string): Assertion;
}
