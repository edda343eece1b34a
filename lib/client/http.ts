import pLimit, { type LimitFunction } from 'p-limit';
import { Resource } from './resource.js';
import { ClientError, UntrustedOrigin, problemFactory } from './errors.js';
import { defaultTransport } from './transport-default.js';
import { FetchTransport } from './transport-fetch.js';
import type { GzipStream, TrafficStats, Transport } from './transport.js';

export type { TrafficStats } from './transport.js';

/**
 * The HTTP layer: every request of the client goes through `HttpClient.request`, which is
 * where origins are checked, the bearer token is added, redirects are followed hop by hop, and
 * a failed answer becomes a typed error. It knows no path (callers hand it URIs they found in
 * links) and no HTTP stack: a Transport moves the bytes and counts them.
 */

export interface HttpClientOptions {
  /** Origins (or URLs, whose origin is taken) the client may request besides the roots it is given. */
  trust?: readonly string[];
  /** Sent as `Authorization: Bearer …`, only to trusted origins. */
  token?: string;
  /** A token per origin (keys: origins or URLs), sent instead of `token` there: two nodes, two credentials. */
  tokens?: Readonly<Record<string, string>>;
  /** How many item fetches may run at once (default 8). */
  concurrency?: number;
  /** Per-request timeout in milliseconds (default 30 s). */
  timeoutMs?: number;
  /**
   * The largest response body read, counted after decompression (default 64 MiB, far above a
   * full log page with data): a hostile or broken node cannot make the client buffer without bound.
   */
  maxResponseBytes?: number;
  /** The HTTP stack to speak through (default: `got` on Node). */
  transport?: Transport;
  /** Speak through this `fetch` (a FetchTransport), whatever the default; `transport` wins over it. */
  fetch?: typeof globalThis.fetch;
}

export interface HttpResponse {
  method: string;
  /** The URI that answered (after redirects): the base for relative links in its body. */
  uri: string;
  status: number;
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Uint8Array;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Serialized as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /**
   * Instead of `json`: a JSON object body made ahead (HttpClient.prepare) and, appended now, its
   * last members (`rest`, serialised as `json` would be). A prepared body is sent once.
   */
  prepared?: { body: PreparedJson; rest: Record<string, unknown> };
  /**
   * Gzip the JSON body (from COMPRESS_THRESHOLD bytes) when its origin advertised
   * `Accept-Encoding: gzip` (RFC 7694) on an earlier response; otherwise it goes as it is.
   */
  compress?: boolean;
  /** Resolve with the response whatever its status (the caller reads 4xx itself). */
  acceptStatus?: readonly number[];
  /** Abandons the request (a long poll no longer needed); it then rejects. */
  signal?: AbortSignal;
  /** This request's timeout, instead of the client's (a long poll outlasts it). */
  timeoutMs?: number;
}

/** Below this many bytes a body goes out plain: gzip would buy nothing but its own header. */
export const COMPRESS_THRESHOLD = 1024;
export const DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;
const encoder = new TextEncoder();

/**
 * A JSON object body whose leading members are known before its request is due: their text is
 * serialised when it is made and, for an origin that reads gzip over a transport that compresses
 * in parts, compressed then too, so that a request made later only adds its last members. A first
 * sync stages each page's sync log this way while the previous page's is applied.
 */
export class PreparedJson {
  /** @internal Made by HttpClient.prepare. */
  constructor(
    /** `{` and the leading members, without the closing brace. */
    readonly head: Uint8Array,
    /** The gzip member the head was written to, when it was compressed ahead. */
    readonly zip: GzipStream | undefined,
  ) {}

  /** Ends the compression begun ahead, for a body that will not be sent. */
  discard(): void {
    void this.zip?.end(new Uint8Array(0)).catch(() => undefined);
  }
}

/** A request's body as bytes, plain or gzipped, from `json` or from a prepared body and its last members. */
interface Body {
  readonly length: number;
  plain(): Uint8Array;
  zipped(): Promise<Uint8Array>;
  /** Lets go of what was compressed ahead, when the body goes out plain after all. */
  discard(): void;
}

export class HttpClient {
  /** Bounds item fetches, so a long pull opens a handful of keep-alive sockets, not hundreds. */
  readonly limit: LimitFunction;
  private readonly trusted = new Set<string>();
  /** Origins whose latest response advertised `Accept-Encoding: gzip`: they read gzipped bodies. */
  private readonly gzipOrigins = new Set<string>();
  private readonly token: string | undefined;
  private readonly tokens: ReadonlyMap<string, string>;
  private readonly maxResponseBytes: number;
  private readonly timeoutMs: number;
  private readonly transport: Transport;

  constructor(options: HttpClientOptions = {}) {
    const concurrency = options.concurrency ?? 8;
    this.limit = pLimit(concurrency);
    this.token = options.token;
    this.tokens = new Map(Object.entries(options.tokens ?? {}).map(([url, token]) => [new URL(url).origin, token]));
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.transport = options.transport ?? (options.fetch ? new FetchTransport({ concurrency, fetch: options.fetch }) : defaultTransport({ concurrency }));
    for (const origin of options.trust ?? []) this.trust(origin);
  }

  /** Allows requests to this origin (a URL's origin is taken). */
  trust(originOrUrl: string): void {
    this.trusted.add(new URL(originOrUrl).origin);
  }

  isTrusted(uri: string): boolean {
    return this.trusted.has(new URL(uri).origin);
  }

  /** The entry point of a navigation: the root is given, so its origin becomes trusted. */
  root(url: string): Resource {
    this.trust(url);
    return new Resource(this, new URL(url).href);
  }

  /** A resource at a URI the caller found; requests to it still need a trusted origin. */
  resource(uri: string): Resource {
    return new Resource(this, uri);
  }

  get stats(): TrafficStats {
    return this.transport.stats;
  }

  /**
   * Serialises the leading members of a JSON object body now (see PreparedJson), compressing them
   * now where a request to `uri` would be gzipped (`compress`, an origin that reads gzip).
   */
  prepare(uri: string, head: Record<string, unknown>): PreparedJson {
    const text = JSON.stringify(head);
    const bytes = encoder.encode(text.slice(0, -1));
    const zip = bytes.length >= COMPRESS_THRESHOLD && this.gzipOrigins.has(new URL(uri).origin) ? this.transport.gzipStream?.() : undefined;
    zip?.write(bytes);
    return new PreparedJson(bytes, zip);
  }

  /** Sends one request; a 4xx/5xx not listed in `acceptStatus` becomes a `Problem` or `HttpError`. */
  async request(method: string, uri: string, options: RequestOptions = {}): Promise<HttpResponse> {
    let current = uri;
    for (let hop = 0; ; hop++) {
      const response = await this.send(method, current, options);
      const location = header(response.headers, 'location');
      const redirect = [301, 302, 307, 308].includes(response.status) && location && method === 'GET';
      if (!redirect) {
        if (response.status >= 400 && !options.acceptStatus?.includes(response.status)) {
          throw problemFactory(method, response.uri, response.status, header(response.headers, 'content-type'), response.body);
        }
        return response;
      }
      if (hop >= MAX_REDIRECTS) throw new ClientError(`${method} ${uri}: more than ${MAX_REDIRECTS} redirects`);
      current = new URL(location, current).href;
    }
  }

  private async send(method: string, uri: string, options: RequestOptions): Promise<HttpResponse> {
    const url = new URL(uri);
    if (!this.trusted.has(url.origin)) throw new UntrustedOrigin(uri, url.origin);
    const body = this.body(options);
    const zipped = body !== undefined && options.compress === true && body.length >= COMPRESS_THRESHOLD && this.gzipOrigins.has(url.origin);
    if (body && !zipped) body.discard();
    const response = await this.exchange(method, url, options, body && (zipped ? await body.zipped() : body.plain()), zipped);
    // The node stopped reading gzip (replaced, reconfigured) since it said it did: once more, plain.
    if (zipped && response.status === 415 && !this.gzipOrigins.has(url.origin)) return this.exchange(method, url, options, body.plain(), false);
    return response;
  }

  private body(options: RequestOptions): Body | undefined {
    const transport = this.transport;
    if (options.prepared) {
      const { body, rest } = options.prepared;
      // The last members, written as JSON.stringify writes an object's (a comma after a head that has members), then the closing brace.
      const members = JSON.stringify(rest).slice(1, -1);
      const tail = encoder.encode(`${members && body.head.length > 1 ? ',' : ''}${members}}`);
      const plain = () => concat(body.head, tail);
      return {
        length: body.head.length + tail.length,
        plain,
        zipped: () => (body.zip ? body.zip.end(tail) : transport.gzip(plain())),
        discard: () => body.discard(),
      };
    }
    if (options.json === undefined) return undefined;
    const json = encoder.encode(JSON.stringify(options.json));
    return { length: json.length, plain: () => json, zipped: () => transport.gzip(json), discard: () => undefined };
  }

  private async exchange(method: string, url: URL, options: RequestOptions, body: Uint8Array | undefined, zipped: boolean): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/hal+json, application/json;q=0.9, application/problem+json;q=0.8', ...options.headers };
    const token = this.tokens.get(url.origin) ?? this.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body) headers['content-type'] ??= 'application/json';
    if (zipped) headers['content-encoding'] = 'gzip';
    const response = await this.transport.send({
      method,
      url: url.href,
      headers,
      ...(body ? { body } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      maxResponseBytes: this.maxResponseBytes,
    });
    this.noteCodings(url.origin, header(response.headers, 'accept-encoding'));
    return { method, uri: response.url, status: response.status, headers: response.headers, body: response.body };
  }

  /** Remembers, per origin, whether its latest response said it reads gzipped bodies. */
  private noteCodings(origin: string, acceptEncoding: string | undefined): void {
    if (acceptEncoding !== undefined && acceptsGzip(acceptEncoding)) this.gzipOrigins.add(origin);
    else this.gzipOrigins.delete(origin);
  }

  /** Closes the transport's kept-alive connections. */
  close(): void {
    this.transport.close();
  }
}

/** Two byte arrays as one (no Buffer: this module runs in a page too). */
function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}

export function header(headers: HttpResponse['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `gzip` listed in an Accept-Encoding value with a weight above 0 (RFC 9110 §12.5.3). */
function acceptsGzip(value: string): boolean {
  return value.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    const q = params.map((p) => /^q=([\d.]+)$/.exec(p)?.[1]).find((w) => w !== undefined);
    return coding === 'gzip' && (q === undefined || Number(q) > 0);
  });
}
