import { ResponseTooLarge, TransportFailed, Unreachable } from './errors.js';
import type { TrafficStats, Transport, TransportOptions, TransportRequest, TransportResponse } from './transport.js';

/**
 * The transport of a web page (and of any runtime with `fetch`): the default of a browser
 * build (transport-default-browser.ts), or chosen with `{ fetch }`. It keeps the Transport
 * contract as far as fetch lets it:
 *   - bytes are counted from what fetch shows: the request line, headers and body sent, and the
 *     headers a response exposes plus its Content-Length (the bytes on the wire) or, without
 *     one, its decoded body. A browser hides some headers (CORS), so the count is a floor;
 *   - a page cannot follow a redirect hop by hop (fetch hides a manual redirect's target), so a
 *     redirect fails the request (TransportFailed, code REDIRECT) rather than being followed
 *     past the origin checks of HttpClient;
 *   - uploads are gzipped with CompressionStream.
 */
export interface FetchTransportOptions extends Partial<TransportOptions> {
  /** The fetch to use (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

const encoder = new TextEncoder();

export class FetchTransport implements Transport {
  private readonly fetch: typeof globalThis.fetch;
  private requests = 0;
  private bytes = 0;

  constructor(options: FetchTransportOptions = {}) {
    const fetch = options.fetch ?? globalThis.fetch;
    if (typeof fetch !== 'function') throw new Error('FetchTransport: no fetch on this runtime; pass { fetch }');
    // Called unbound, a browser's fetch throws "Illegal invocation".
    this.fetch = (input, init) => fetch.call(globalThis, input, init);
  }

  get stats(): TrafficStats {
    return { requests: this.requests, bytes: this.bytes };
  }

  async gzip(body: Uint8Array): Promise<Uint8Array> {
    const stream = new Blob([body as BlobPart]).stream().pipeThrough(new CompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    this.requests++;
    this.bytes += requestBytes(request);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await this.fetch(request.url, {
        method: request.method,
        headers: request.headers,
        ...(request.body ? { body: request.body as BodyInit } : {}),
        signal,
        redirect: 'manual',
        // Credentials are the Authorization header HttpClient adds to trusted origins, never a page's cookies.
        credentials: 'omit',
        cache: 'no-store',
      });
    } catch (error) {
      throw this.failure(request, timeout, error);
    }
    if (response.type === 'opaqueredirect') {
      throw new TransportFailed(request.url, 'REDIRECT', 'the node answered with a redirect, which a page cannot follow hop by hop');
    }
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
      this.bytes += name.length + value.length + 4;
    });
    const length = Number(response.headers.get('content-length') ?? NaN);
    const body = await this.read(request, response, timeout);
    this.bytes += `HTTP/1.1 ${response.status}\r\n\r\n`.length + (Number.isFinite(length) ? length : body.byteLength);
    return { url: request.url, status: response.status, headers, body };
  }

  /** The decoded body, read chunk by chunk so a body past the cap is abandoned, not buffered. */
  private async read(request: TransportRequest, response: Response, timeout: AbortSignal): Promise<Uint8Array> {
    if (!response.body) return new Uint8Array(0);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > request.maxResponseBytes) {
          await reader.cancel().catch(() => undefined);
          throw new ResponseTooLarge(request.url, request.maxResponseBytes);
        }
        chunks.push(value);
      }
    } catch (error) {
      if (error instanceof ResponseTooLarge) throw error;
      throw this.failure(request, timeout, error);
    }
    const body = new Uint8Array(size);
    let at = 0;
    for (const chunk of chunks) {
      body.set(chunk, at);
      at += chunk.byteLength;
    }
    return body;
  }

  /** fetch fails with a TypeError for any network failure (offline, refused, reset) and an AbortError when a signal fires. */
  private failure(request: TransportRequest, timeout: AbortSignal, error: unknown): unknown {
    if (request.signal?.aborted) return request.signal.reason ?? error;
    if (timeout.aborted) return new Unreachable(request.url, 'ETIMEDOUT');
    if (error instanceof TypeError) return new Unreachable(request.url, causeCode(error) ?? 'network');
    const message = error instanceof Error ? error.message : String(error);
    return new TransportFailed(request.url, 'unknown', message, error);
  }

  close(): void {
    // fetch keeps its own connections; there is nothing of ours to let go.
  }
}

/** The request line, headers and body, as HTTP/1.1 would send them. */
function requestBytes(request: TransportRequest): number {
  let bytes = `${request.method} ${request.url} HTTP/1.1\r\n\r\n`.length;
  for (const [name, value] of Object.entries(request.headers)) bytes += encoder.encode(value).length + name.length + 4;
  return bytes + (request.body?.byteLength ?? 0);
}

/** Node's fetch (undici) names the system error under `cause`; a browser says nothing more. */
function causeCode(error: TypeError): string | undefined {
  const code = (error.cause as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}
