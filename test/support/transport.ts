import type { TrafficStats, Transport, TransportRequest, TransportResponse } from '../../lib/client/transport.js';

/**
 * A Transport that answers from a function, for tests of what the client does with answers it
 * cannot easily get from a real node (a job in each state, a broken body). Counts requests.
 */
export class ScriptedTransport implements Transport {
  readonly sent: TransportRequest[] = [];
  constructor(private readonly answer: (request: TransportRequest) => Partial<TransportResponse> & { json?: unknown }) {}

  get stats(): TrafficStats {
    return { requests: this.sent.length, bytes: 0 };
  }

  async send(request: TransportRequest): Promise<TransportResponse> {
    this.sent.push(request);
    const { json, ...rest } = this.answer(request);
    const body = json === undefined ? (rest.body ?? new Uint8Array(0)) : new TextEncoder().encode(JSON.stringify(json));
    const headers = rest.headers ?? (json === undefined ? {} : { 'content-type': 'application/hal+json' });
    return { url: request.url, status: rest.status ?? 200, headers, body };
  }

  async gzip(body: Uint8Array): Promise<Uint8Array> {
    return body;
  }

  close(): void {}
}
