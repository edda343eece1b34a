import { expect } from 'chai';
import { readAhead } from '../../lib/client/read-ahead.js';
import { expectRejection } from '../support/expect.js';

describe('client/read-ahead: the next page is asked for while the previous is handled', () => {
  async function* numbered(log: string[], fail?: number): AsyncGenerator<number> {
    try {
      for (let i = 1; i <= 3; i++) {
        log.push(`read ${i}`);
        if (i === fail) throw new Error(`page ${i} failed`);
        yield i;
      }
    } finally {
      log.push('closed');
    }
  }

  it('asks for page n + 1 before page n is handled, and hands out every page in order', async () => {
    const log: string[] = [];
    for await (const page of readAhead(numbered(log))) {
      await new Promise((resolve) => setImmediate(resolve));
      log.push(`applied ${page}`);
    }
    expect(log).to.deep.equal(['read 1', 'read 2', 'applied 1', 'read 3', 'applied 2', 'closed', 'applied 3']);
  });

  it('a page that failed while the previous applied fails the loop when its turn comes, never as an unhandled rejection', async () => {
    const log: string[] = [];
    const seen: number[] = [];
    await expectRejection(
      (async () => {
        for await (const page of readAhead(numbered(log, 2))) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          seen.push(page);
        }
      })(),
      Error,
    );
    expect(seen).to.deep.equal([1]);
    expect(log).to.include('closed');
  });

  it('closes the source when the caller stops early', async () => {
    const log: string[] = [];
    for await (const page of readAhead(numbered(log))) if (page === 1) break;
    expect(log.at(-1)).to.equal('closed');
  });
});
