import { expect } from 'chai';
import * as problems from '../../lib/protocol/problems.js';
import { validator } from '../../lib/protocol/schemas.js';

const { HalsyncError } = problems;

/** One instance of every typed error, with the status and type it must carry. */
const CASES: Array<[problems.HalsyncError, number, string]> = [
  [new problems.BadRequest('b'), 400, 'bad-request'],
  [new problems.BadRequest('b', [{ pointer: '/limit', detail: 'not a number' }], 'malformed-query'), 400, 'malformed-query'],
  [new problems.ValidationFailed('v', [{ pointer: '/data', detail: 'required field is missing' }]), 422, 'validation-failed'],
  [new problems.NotFound('n'), 404, 'not-found'],
  [new problems.Gone('g'), 410, 'gone'],
  [new problems.CursorExpired('c'), 410, 'cursor-expired'],
  [new problems.PreconditionFailed('p'), 412, 'precondition-failed'],
  [new problems.MethodNotAllowed('m', ['GET', 'HEAD']), 405, 'method-not-allowed'],
  [new problems.NotAcceptable('a'), 406, 'not-acceptable'],
  [new problems.UnsupportedMediaType('u'), 415, 'unsupported-media-type'],
  [new problems.PayloadTooLarge('l'), 413, 'payload-too-large'],
  [new problems.PayloadTooLarge('l', 'too-many-entries'), 413, 'too-many-entries'],
  [new problems.ServiceUnavailable('request-timeout', 's', 1), 503, 'request-timeout'],
  [new problems.ServiceUnavailable('too-many-jobs', 's', 1), 503, 'too-many-jobs'],
  [new problems.Unauthorized('u', 'invalid_token'), 401, 'unauthorized'],
  [new problems.Forbidden('f', 'write'), 403, 'forbidden'],
  [new problems.SyncRejected('c', []), 409, 'conflict'],
  [new problems.InternalError(), 500, 'internal-error'],
];

describe('protocol/problems', () => {
  it('gives every typed error its status, its bare problem type and its class name', () => {
    for (const [error, status, type] of CASES) {
      expect(error).to.be.instanceOf(HalsyncError).and.instanceOf(Error);
      expect([error.status, error.type], error.name).to.deep.equal([status, type]);
      expect(error.name).to.equal(error.constructor.name);
      expect(error.detail).to.equal(error.message);
    }
    expect(new problems.CursorExpired('c')).to.be.instanceOf(problems.Gone);
  });

  it('renders a problem document valid against spec/problem.schema.json, extensions included', () => {
    const validate = validator('problem');
    for (const [error] of CASES) {
      const doc = error.toProblem();
      expect(validate(doc), `${error.name}: ${JSON.stringify(validate.errors)}`).to.equal(true);
      expect(doc).to.not.have.property('instance');
    }
    expect(CASES[1]![0].toProblem()['errors']).to.deep.equal([{ pointer: '/limit', detail: 'not a number' }]);
    expect(new problems.SyncRejected('c', []).toProblem()['conflicts']).to.deep.equal([]);
  });

  it('keeps an internal error free of internals', () => {
    expect(new problems.InternalError().toProblem()).to.deep.equal({
      type: 'internal-error',
      title: 'Internal server error',
      status: 500,
      detail: 'the server failed to answer this request',
    });
  });

  it('carries what the server puts in headers outside the document', () => {
    expect(new problems.ServiceUnavailable('too-many-jobs', 's', 7).retryAfter).to.equal(7);
    expect(new problems.MethodNotAllowed('m', ['GET']).allow).to.deep.equal(['GET']);
    expect(new problems.Unauthorized('u', 'invalid_token').error).to.equal('invalid_token');
    expect(new problems.Forbidden('f', 'write').scope).to.equal('write');
  });
});
