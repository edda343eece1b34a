import { expect } from 'chai';
import { decodeCursor, encodeCursor } from '../../lib/protocol/cursor.js';
import { BadRequest } from '../../lib/protocol/problems.js';

const STORE = '0f8b6c2e-4c1a-4d8e-9a51-3c2b1e0d9f77';

describe('protocol/cursor', () => {
  it('round-trips a store id and a seq through an opaque base64url text', () => {
    for (const seq of [0, 1, 42, Number.MAX_SAFE_INTEGER]) {
      const text = encodeCursor({ storeId: STORE, seq });
      expect(text).to.match(/^[A-Za-z0-9_-]+$/);
      expect(decodeCursor(text)).to.deep.equal({ storeId: STORE, seq });
    }
  });

  it('refuses anything it did not make as a 400 malformed-cursor at /cursor', () => {
    const forged = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
    const bad = [
      '',
      'not base64!',
      'x'.repeat(201),
      forged(`${STORE}`),
      forged(`${STORE}:-1`),
      forged(`${STORE}:01`),
      forged(`${STORE}:1.5`),
      forged('UPPER:1'),
    ];
    bad.push(forged(`${STORE}:${'9'.repeat(16)}`)); // past 2^53: not a safe integer
    for (const text of bad) {
      let error: unknown;
      try {
        decodeCursor(text);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(text)).to.be.instanceOf(BadRequest);
      const problem = (error as BadRequest).toProblem();
      expect(problem['type']).to.equal('malformed-cursor');
      expect(problem['errors']).to.deep.equal([{ pointer: '/cursor', detail: 'malformed cursor' }]);
    }
  });

  it('shows at most 40 characters of a long bad cursor in the detail', () => {
    const long = 'A'.repeat(150);
    expect(() => decodeCursor(long))
      .to.throw(BadRequest)
      .with.property('message')
      .that.includes(`"${'A'.repeat(40)}…"`);
  });
});
