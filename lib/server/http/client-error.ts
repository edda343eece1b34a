import type { Socket } from 'node:net';
import { StoreUnavailable } from '../../store/errors.js';
import { PROBLEM_BASE, PROBLEM_TYPE } from '../../protocol/problems.js';

/** Node's parser errors that a client caused, with the status Node itself would answer. */
const PARSE_STATUS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'header-fields-too-large', 'Request header fields too large'],
  HPE_URI_TOO_LONG: [414, 'uri-too-long', 'URI too long'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'Request timeout'],
};

/**
 * The http server's `clientError` listener: a request Node refused before the app saw it
 * (oversized headers, a malformed request line) is answered as problem+json, like any other
 * error of the node, instead of Node's bare status line. A reset connection gets nothing.
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, name, title] = PARSE_STATUS[err.code ?? ''] ?? [400, 'bad-request', 'Bad request'];
  const body = JSON.stringify({ type: PROBLEM_BASE + name, title, status, detail: `the server could not read this request: ${title.toLowerCase()}` });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      `Content-Type: ${PROBLEM_TYPE}\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/**
 * What the node logs for a failed request: nothing for a client that went away mid-request,
 * one short line for a client's own error, the stack only for the server's own failures.
 */
export function describeRequestError(err: unknown): string | null {
  if (isClientAbort(err)) return null;
  if (isClientError(err)) return `client error ${err.status}: ${String(err.message)}`;
  // A 503 (a store that is away, say) is the node's own, but not a bug: its message says it all.
  if (err instanceof StoreUnavailable || (err as { status?: unknown } | null)?.status === 503) return `unavailable: ${String((err as Error).message)}`;
  return err instanceof Error ? (err.stack ?? err.message) : String(err);
}

/** An error the client caused (a 4xx status): the node did its job by answering it. */
export function isClientError(err: unknown): err is { status: number; message?: unknown } {
  const status = (err as { status?: unknown } | null)?.status;
  return typeof status === 'number' && status < 500;
}

/**
 * The client went away mid-request (Node's `aborted`, a reset or closed socket), or its bytes
 * stopped parsing mid-body (`HPE_*`, e.g. the connection ended inside a chunk): nothing failed on this side.
 */
export function isClientAbort(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  return ['ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ERR_STREAM_PREMATURE_CLOSE'].includes(code) || code.startsWith('HPE_') || e?.message === 'aborted';
}
