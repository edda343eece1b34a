import { expect } from 'chai';
import { backoffDelay, retry, sleep } from '../../lib/protocol/retry.js';

describe('protocol/retry', () => {
  it('doubles from the first delay up to the cap; jitter keeps each in [half, whole)', () => {
    const plain = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, { firstMs: 10, maxMs: 50, jitter: false }));
    expect(plain).to.deep.equal([10, 20, 40, 50, 50]);
    for (let n = 0; n < 50; n++) {
      const d = backoffDelay(2, { firstMs: 10, maxMs: 50 });
      expect(d).to.be.at.least(20).and.below(40);
    }
  });

  it('retries a retryable failure until it succeeds, telling each retry', async () => {
    const told: number[] = [];
    const result = await retry(async (n) => (n < 2 ? Promise.reject(new Error(`try ${n}`)) : 'ok'), {
      firstMs: 1,
      maxMs: 2,
      retryable: () => true,
      onRetry: (_error, _delay, attempt) => told.push(attempt),
    });
    expect(result).to.equal('ok');
    expect(told).to.deep.equal([0, 1]);
  });

  it('throws a failure that is not retryable at once, and the exhausted error after the last retry', async () => {
    let tries = 0;
    const fatal = new Error('fatal');
    const rejected = await retry(() => (tries++, Promise.reject(fatal)), { firstMs: 1, maxMs: 1, retryable: () => false }).catch((e: unknown) => e);
    expect([rejected, tries]).to.deep.equal([fatal, 1]);
    tries = 0;
    const exhausted = await retry(() => (tries++, Promise.reject(new Error('again'))), {
      retries: 2,
      firstMs: 1,
      maxMs: 1,
      retryable: () => true,
      exhausted: (_e, attempts) => new Error(`gave up after ${attempts}`),
    }).catch((e: Error) => e.message);
    expect([exhausted, tries]).to.deep.equal(['gave up after 3', 3]);
  });

  it('a sleep ends at once when its signal aborts', async () => {
    const stop = new AbortController();
    const started = Date.now();
    const slept = sleep(60_000, stop.signal);
    stop.abort();
    await slept;
    expect(Date.now() - started).to.be.below(1000);
  });
});
