/**
 * The one seam between the client and an HTTP stack. Everything above it (origins, tokens,
 * redirects, problem documents, gzip decisions) is shared; a transport only moves one request
 * and its answer, and counts what it moved. `got` on Node (transport-got.ts), `fetch` in a
 * browser: both keep this contract, so the engine behaves the same over either.
 */

export interface TrafficStats {
  /** HTTP requests sent, redirects included. */
  requests: number;
  /** Bytes on the wire, both ways, headers included (as near as the stack lets one count them). */
  bytes: number;
}

export interface TransportRequest {
  method: string;
  url: string;
  headers: Readonly<Record<string, string>>;
  body?: Uint8Array;
  /** Abandons the request; it then rejects. */
  signal?: AbortSignal;
  /** The whole exchange must finish within this many milliseconds. */
  timeoutMs: number;
  /** The largest response body read, counted after decompression: past it, ResponseTooLarge. */
  maxResponseBytes: number;
}

export interface TransportResponse {
  /** The URL that answered (a transport follows no redirect, so the one requested). */
  url: string;
  status: number;
  /** Lower-case names; a repeated header is an array. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The decoded (decompressed) body. */
  body: Uint8Array;
}

export interface Transport {
  /**
   * Sends one request and resolves with the answer whatever its status. Fails with Unreachable
   * (the host could not be reached, or the time ran out), ResponseTooLarge, or TransportFailed:
   * never with an error of the HTTP stack underneath.
   */
  send(request: TransportRequest): Promise<TransportResponse>;
  /** A gzip member of `body` (RFC 1952), for uploads to a node that reads them. */
  gzip(body: Uint8Array): Promise<Uint8Array>;
  /**
   * Optional: one gzip member written in parts, the first compressed as soon as it is written.
   * A body whose bulk is known before its request is due (a first sync's next page) is then
   * compressed while the previous request runs. Without it, such a body is gzipped when sent.
   */
  gzipStream?(): GzipStream;
  /** What this transport moved since it was made. */
  readonly stats: TrafficStats;
  /** Lets go of kept-alive connections. */
  close(): void;
}

/** One gzip member being written (Transport.gzipStream). */
export interface GzipStream {
  /** The next bytes of the body; compressing them starts now. */
  write(bytes: Uint8Array): void;
  /** The whole member: every byte written, then `last`. A failure of the compressor rejects here. */
  end(last: Uint8Array): Promise<Uint8Array>;
}

export interface TransportOptions {
  /** How many requests may run at once to one host; a transport may keep that many connections. */
  concurrency: number;
}
