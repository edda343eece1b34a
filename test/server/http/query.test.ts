import { expect } from 'chai';
import { BadRequest } from '../../../lib/protocol/problems.js';
import { limitParam, queryValues } from '../../../lib/server/http/query.js';

function refusal(run: () => unknown): Record<string, unknown> {
  try {
    run();
  } catch (error) {
    expect(error).to.be.instanceOf(BadRequest);
    return (error as BadRequest).toProblem();
  }
  throw new Error('expected a refusal');
}

describe('server/http/query', () => {
  it('answers the known parameters, each once', () => {
    expect(queryValues({ limit: '5', cursor: 'abc' }, ['cursor', 'limit'])).to.deep.equal({ limit: '5', cursor: 'abc' });
    expect(queryValues({}, ['cursor'])).to.deep.equal({});
  });

  it('refuses an unknown or repeated parameter as malformed-query, naming it', () => {
    const unknown = refusal(() => queryValues({ after: '1' }, ['earliest', 'cursor', 'limit']));
    expect(unknown).to.include({
      type: 'malformed-query',
      status: 400,
      detail: 'query parameter after: unknown query parameter; use earliest, cursor or limit',
    });
    expect(unknown['errors']).to.deep.equal([{ pointer: '/after', detail: 'unknown query parameter; use earliest, cursor or limit' }]);
    const twice = refusal(() => queryValues({ limit: ['1', '2'] }, ['limit']));
    expect(twice).to.include({ detail: 'query parameter limit: give limit once' });
  });

  it('reads a limit from 1 to the maximum and nothing else', () => {
    expect(limitParam('1', 10)).to.equal(1);
    expect(limitParam('10', 10)).to.equal(10);
    for (const text of ['0', '11', '-1', '1.5', '1e1', ' 1', '', '9999999999']) {
      expect(
        refusal(() => limitParam(text, 10)),
        text,
      ).to.include({ detail: 'query parameter limit: must be an integer from 1 to 10' });
    }
  });
});
