import type { Socket } from 'node:net';
import type { Context, Next } from 'koa';
import { BadRequest } from '../../protocol/problems.js';

/**
 * RFC 9112 §3.2: a request with more than one Host header line, or an HTTP/1.1 request with
 * none, is a 400. Node keeps the first Host and drops the rest, so a proxy that routed on
 * another one and this node would disagree on whose request it is.
 */
export async function oneHost(ctx: Context, next: Next): Promise<void> {
  const raw = ctx.req.rawHeaders;
  let hosts = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'host') hosts++;
  if (hosts > 1) throw new BadRequest(`the request has ${hosts} Host header lines; RFC 9112 §3.2 allows one`, undefined, 'bad-request');
  if (hosts === 0 && ctx.req.httpVersion === '1.1') throw new BadRequest('an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)', undefined, 'bad-request');
  await next();
}

/** How long a connection closed after its answer still reads, and drops, what its client sends. */
export const LINGER_MS = 2000;

const lingering = new WeakSet<Socket>();

/**
 * Ends the connection after this response while the request body is still unread: a 413 or
 * 503 answered before (or instead of) reading it. Closed at once, the socket would still have
 * body bytes coming in, and the kernel answers those with a reset: a client still sending then
 * gets EPIPE or ECONNRESET instead of the answer it was sent (a quarter of the refused sync
 * logs, in half the runs of test/bench/overload.ts). So the close is staged (RFC 9112
 * §9.6): the answer and a FIN go out, what still arrives is read and dropped until the client
 * closes or LINGER_MS pass, and only then is the socket closed.
 */
export function closeAfterAnswer(ctx: Context): void {
  ctx.set('Connection', 'close');
  const socket = ctx.req.socket;
  if (lingering.has(socket)) return;
  lingering.add(socket);
  // Node ends a `Connection: close` response with destroySoon(): end, then destroy as soon
  // as the answer is written, the immediate close.
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}
