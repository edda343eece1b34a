import { expect } from 'chai';
import { HttpError, Problem, ProtocolViolation, problemFactory } from '../../lib/client/errors.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('client/errors', () => {
  it('makes a Problem of a problem+json answer, keeping its extensions', () => {
    const error = problemFactory(
      'PUT',
      'http://n/log',
      409,
      'application/problem+json',
      bytes('{"type":"conflict","title":"Conflict","detail":"d","conflicts":[1]}'),
    );
    expect(error).to.be.instanceOf(Problem);
    const problem = error as Problem;
    expect([problem.status, problem.is('conflict'), problem.extensions.conflicts]).to.deep.equal([409, true, [1]]);
    expect(problem.message).to.equal('PUT http://n/log: 409 Conflict: d');
  });

  it('makes an HttpError of anything else, quoting the start of its body', () => {
    const error = problemFactory('GET', 'http://n/', 502, 'text/html', bytes('  Bad gateway  '));
    expect(error).to.be.instanceOf(HttpError).and.not.instanceOf(Problem);
    expect(error.message).to.equal('GET http://n/: HTTP 502: Bad gateway');
    expect(problemFactory('GET', 'http://n/', 500, 'application/problem+json', bytes('{broken'))).to.not.be.instanceOf(Problem);
  });

  it('names the node, the item and what is wrong in a protocol violation', () => {
    const error = new ProtocolViolation('http://n/ (items)', 'http://n/log', 'abc', ['/fingerprint does not match']);
    expect(error.message).to.equal('http://n/log: http://n/ (items) sent item abc that breaks the protocol: /fingerprint does not match');
  });
});
