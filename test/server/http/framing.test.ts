import { expect } from 'chai';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import Koa from 'koa';
import { ServiceUnavailable } from '../../../lib/protocol/problems.js';
import { closeAfterAnswer, LINGER_MS, oneHost } from '../../../lib/server/http/framing.js';
import { problems } from '../../../lib/server/http/problem.js';
import { listen, type Listening } from '../../support/koa.js';
import { rawExchange } from '../../support/raw-request.js';

/** One Host line per request (lib/server/http/framing.ts), over raw loopback connections. */
describe('server/http/framing', () => {
  let server: Listening;
  let reached = 0;
  before(async () => {
    const app = new Koa();
    app.use(problems);
    app.use(oneHost);
    app.use((ctx) => {
      reached++;
      ctx.body = 'ok';
    });
    server = await listen(app);
  });
  beforeEach(() => (reached = 0));
  after(() => server.close());

  const send = (head: string) => rawExchange(server.url, `${head}Connection: close\r\n\r\n`);

  it('passes a request with one Host line', async () => {
    const reply = await send('GET / HTTP/1.1\r\nHost: a.example\r\n');
    expect(reply).to.match(/^HTTP\/1\.1 200 /);
    expect(reached).to.equal(1);
  });

  it('refuses two Host lines with a 400 problem, before anything runs', async () => {
    const reply = await send('GET / HTTP/1.1\r\nHost: a.example\r\nhost: b.example\r\n');
    expect(reply).to.match(/^HTTP\/1\.1 400 /);
    expect(reply).to.match(/content-type: application\/problem\+json/i);
    expect(reply).to.contain('2 Host header lines');
    expect(reached).to.equal(0);
  });

  it('refuses an HTTP/1.1 request without Host, but not an HTTP/1.0 one', async () => {
    const v11 = await send('GET / HTTP/1.1\r\n');
    // Node's own parser refuses it first (requireHostHeader); the middleware is the second line.
    expect(v11).to.match(/^HTTP\/1\.1 400 /);
    expect(reached).to.equal(0);
    expect(await send('GET / HTTP/1.0\r\n')).to.match(/^HTTP\/1\.1 200 /);
    expect(reached).to.equal(1);
  });
});

/**
 * closeAfterAnswer over raw loopback connections: after answering a request whose body it did
 * not read, the node keeps reading (and dropping) what the client still sends, so the client
 * is not reset mid-send before it has read the answer; then it closes.
 */
describe('server/http/framing: the staged close after answering an unread body', function () {
  this.timeout(20_000);
  let server: Listening;
  before(async () => {
    const app = new Koa();
    app.use(problems);
    app.use((ctx) => {
      closeAfterAnswer(ctx);
      throw new ServiceUnavailable('overloaded', 'refused before its body is read', 1);
    });
    server = await listen(app);
  });
  after(() => server.close());

  /** A PUT declaring `length` body bytes, sending none yet; resolves with the socket once the answer's head is in. */
  async function refusedUpload(length: number): Promise<{ socket: Socket; answer: string }> {
    const { port } = new URL(server.url);
    // Half-open, as an HTTP client's socket is: the node's FIN does not end what the client sends.
    const socket = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    await once(socket, 'connect');
    socket.write(`PUT / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\n\r\n`);
    let answer = '';
    while (!answer.includes('\r\n\r\n')) answer += ((await once(socket, 'data')) as [Buffer])[0].toString('latin1');
    return { socket, answer };
  }

  /** Writes `bytes` in pieces, each once the last has drained: rejects if the connection fails meanwhile. */
  async function send(socket: Socket, bytes: number): Promise<void> {
    const piece = Buffer.alloc(64 * 1024, 0x20);
    const failed = new Promise<never>((_, reject) => socket.once('error', reject));
    for (let sent = 0; sent < bytes; sent += piece.length) {
      if (!socket.write(piece)) await Promise.race([once(socket, 'drain'), failed]);
    }
  }

  it('answers with Connection: close, keeps reading what the client still sends, and closes once the client has ended', async () => {
    const { socket, answer } = await refusedUpload(64 * 1024 * 1024);
    expect(answer)
      .to.match(/^HTTP\/1\.1 503 /)
      .and.match(/\r\nConnection: close\r\n/i)
      .and.match(/\r\nRetry-After: 1\r\n/i);
    // Far beyond what the two sockets' buffers hold: it drains only because the node reads it.
    await send(socket, 16 * 1024 * 1024);
    socket.end();
    const [hadError] = (await once(socket, 'close')) as [boolean];
    expect(hadError, 'the node reset the connection').to.equal(false);
  });

  it(`closes the connection of a client that never stops sending (after LINGER_MS, ${LINGER_MS} ms)`, async () => {
    const { socket } = await refusedUpload(2 ** 40);
    socket.on('error', () => undefined);
    const closed = new Promise((resolve) => socket.once('close', resolve));
    let open = true;
    void closed.then(() => (open = false));
    const piece = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    while (open) {
      if (!socket.write(piece)) await Promise.race([once(socket, 'drain').catch(() => undefined), closed]);
      sent += piece.length;
    }
    // Read while it lingered, then cut, though the client never ended and had a TiB to go.
    expect(sent).to.be.above(16 * 1024 * 1024);
  });
});
