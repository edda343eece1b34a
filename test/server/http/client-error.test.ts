import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerClientError, describeRequestError, isClientAbort, isClientError } from '../../../lib/server/http/client-error.js';
import { NotFound, ServiceUnavailable } from '../../../lib/protocol/problems.js';
import { expectValid } from '../../support/expect.js';
import { rawExchange } from '../../support/raw-request.js';

const code = (c: string, message = 'x') => Object.assign(new Error(message), { code: c });

describe('server/http/client-error', () => {
  describe("answerClientError (the http server's clientError listener)", () => {
    let server: Server;
    let url: string;
    before(async () => {
      server = createServer({ maxHeaderSize: 1024 }, (_req, res) => res.end('ok'));
      server.on('clientError', answerClientError);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    });
    after(async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    function parse(reply: string): { status: number; headers: string; body: any } {
      const [head, body] = [reply.slice(0, reply.indexOf('\r\n\r\n')), reply.slice(reply.indexOf('\r\n\r\n') + 4)];
      return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(head)?.[1]), headers: head, body: JSON.parse(body) };
    }

    it('answers a malformed request as a 400 bad-request problem+json and closes', async () => {
      const reply = parse(await rawExchange(url, 'NOT HTTP AT ALL\r\n\r\n'));
      expect(reply.status).to.equal(400);
      expect(reply.headers)
        .to.match(/content-type: application\/problem\+json/i)
        .and.match(/connection: close/i);
      expectValid('problem', reply.body);
      expect(reply.body.type).to.equal('bad-request');
    });

    it('answers oversized headers as a 431 header-fields-too-large, with a Content-Length that fits the body', async () => {
      const raw = await rawExchange(url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(4000)}\r\n\r\n`);
      const reply = parse(raw);
      expect(reply.status).to.equal(431);
      expect(reply.body).to.include({ type: 'header-fields-too-large', status: 431 });
      const length = Number(/content-length: (\d+)/i.exec(reply.headers)?.[1]);
      expect(length).to.equal(Buffer.byteLength(JSON.stringify(reply.body)));
    });

    it('leaves a well-formed request to the app', async () => {
      expect(await rawExchange(url, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).to.match(/^HTTP\/1\.1 200 [\s\S]*ok$/);
    });
  });

  it('tells a client that went away from everything else', () => {
    for (const c of ['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE', 'HPE_INVALID_CHUNK_SIZE'])
      expect(isClientAbort(code(c)), c).to.equal(true);
    expect(isClientAbort(new Error('aborted'))).to.equal(true);
    for (const other of [new Error('boom'), code('ENOENT'), null, undefined, 'text']) expect(isClientAbort(other), String(other)).to.equal(false);
  });

  it("counts a 4xx as the client's error, a 5xx or a plain error as the server's", () => {
    expect(isClientError(new NotFound('n'))).to.equal(true);
    expect(isClientError({ status: 499 })).to.equal(true);
    expect(isClientError(new ServiceUnavailable('too-many-jobs', 's', 1))).to.equal(false);
    expect(isClientError(new Error('x'))).to.equal(false);
    expect(isClientError(null)).to.equal(false);
  });

  it('logs nothing for an abort, one line for a client error, the stack for a server failure', () => {
    expect(describeRequestError(code('ECONNRESET'))).to.equal(null);
    expect(describeRequestError(new NotFound('no such item'))).to.equal('client error 404: no such item');
    const failure = new Error('the disk is on fire');
    expect(describeRequestError(failure)).to.equal(failure.stack);
    expect(describeRequestError('a string')).to.equal('a string');
  });
});
