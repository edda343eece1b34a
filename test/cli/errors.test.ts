import { expect } from 'chai';
import { describeError, reportError } from '../../lib/cli/errors.js';
import { HttpError, NotARoot, Problem, Unreachable } from '../../lib/client/errors.js';

describe('cli/errors: what a failed command says', () => {
  it('names a URL that is not a root, and where its root is', () => {
    const inner = describeError(new NotARoot('http://n.test/items', 'the collection "items"', 'http://n.test/'));
    expect(inner).to.deep.equal({
      type: 'not-a-root',
      title: 'Not an API root',
      detail: 'http://n.test/items is the collection "items", not an API root (it has no sync:collection link); its root is http://n.test/',
      uri: 'http://n.test/items',
      root: 'http://n.test/',
    });
    expect(describeError(new NotARoot('http://n.test/', 'an HTML page', 'http://n.test/')).detail).to.match(/no root found at this origin$/);
  });

  it('says a node cannot be reached, naming it', () => {
    expect(describeError(new Unreachable('http://127.0.0.1:9/', 'ECONNREFUSED'))).to.deep.equal({
      type: 'unreachable',
      title: 'Cannot reach the node',
      detail: 'cannot reach http://127.0.0.1:9/ (ECONNREFUSED)',
      uri: 'http://127.0.0.1:9/',
    });
  });

  it('tells TLS sent to a plain HTTP node, and which URL to use instead', () => {
    const error = Object.assign(new Error('write EPROTO ... wrong version number'), { code: 'EPROTO' });
    const described = describeError(error, ['http://a.test/', 'https://b.test:8443/']);
    expect(described.type).to.equal('tls-to-plain-http');
    expect(described.uri).to.equal('https://b.test:8443/');
    expect(described.detail).to.match(/use http:\/\/b\.test:8443\/$/);
    const named = Object.assign(new Error('wrong version number'), { code: 'EPROTO', options: { url: new URL('https://c.test/x') } });
    expect(describeError(named, []).uri).to.equal('https://c.test/x');
  });

  it("keeps a node's problem type, and says what to do about a 401 or a 403", () => {
    const problem = new Problem('GET', 'http://n.test/items', 404, { type: 'not-found', title: 'Not found', status: 404, detail: 'no such thing' });
    expect(describeError(problem)).to.deep.include({ type: 'not-found', title: 'Not found', uri: 'http://n.test/items', status: 404 });
    const denied = describeError(new HttpError('GET', 'http://n.test/', 401, 'HTTP 401'));
    expect(denied).to.deep.include({ type: 'http-error', title: 'HTTP 401', status: 401 });
    expect(denied.detail).to.match(/pass --token or set HALSYNC_TOKEN/);
    expect(describeError(new HttpError('PUT', 'http://n.test/items/transactions', 403, 'HTTP 403')).detail).to.match(/the token is read-only/);
  });

  it('falls back to the message of anything else', () => {
    expect(describeError(new Error('boom'))).to.deep.equal({ type: 'failed', title: 'The command failed', detail: 'boom' });
    expect(describeError('text').detail).to.equal('text');
  });

  it('prints one line on stderr, and the object on stdout with --json; exit code 1', () => {
    const [errors, logs] = [[] as string[], [] as string[]];
    const [error, log] = [console.error, console.log];
    console.error = (line: string) => errors.push(line);
    console.log = (line: string) => logs.push(line);
    try {
      const described = describeError(new Error('boom'));
      expect(reportError('sync', described, false)).to.equal(1);
      expect(reportError('sync', described, true)).to.equal(1);
    } finally {
      console.error = error;
      console.log = log;
    }
    expect(errors).to.deep.equal(['halsync sync: boom', 'halsync sync: boom']);
    expect(logs.map((line) => JSON.parse(line))).to.deep.equal([{ error: { type: 'failed', title: 'The command failed', detail: 'boom' } }]);
  });
});
