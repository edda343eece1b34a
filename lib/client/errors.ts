/**
 * The client's errors: a small hierarchy, each carrying what failed (the URI, the rel, the
 * status) so a user can tell which link or request of a sync broke without a debugger.
 * `problemFactory` turns a failed response into a `Problem` (RFC 9457) or an `HttpError`.
 */

export class ClientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A response with a 4xx/5xx status that is not a problem document. */
export class HttpError extends ClientError {
  constructor(
    readonly method: string,
    readonly uri: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** An application/problem+json answer (RFC 9457); `extensions` holds its other members. */
export class Problem extends HttpError {
  readonly type: string;
  readonly title: string;
  readonly detail: string;
  readonly extensions: Readonly<Record<string, unknown>>;

  constructor(method: string, uri: string, status: number, document: Record<string, unknown>) {
    const { type, title, detail, status: _status, ...extensions } = document;
    const text = (value: unknown, fallback: string): string => (typeof value === 'string' ? value : fallback);
    const shownDetail = text(detail, '');
    const shownTitle = text(title, `HTTP ${status}`);
    super(method, uri, status, `${method} ${uri}: ${status} ${shownTitle}${shownDetail ? `: ${shownDetail}` : ''}`);
    // RFC 9457: an absent type means "about:blank".
    this.type = text(type, 'about:blank');
    this.title = shownTitle;
    this.detail = shownDetail;
    this.extensions = extensions;
  }

  /** True when the problem type ends with this name (`cursor-expired`, `conflict`, …). */
  is(name: string): boolean {
    return this.type === name || this.type.endsWith(`:${name}`) || this.type.endsWith(`/${name}`);
  }
}

/** A document lacked a link the client was told to follow. */
export class LinkNotFound extends ClientError {
  constructor(
    readonly rel: string,
    readonly uri: string,
    readonly attributes: Readonly<Record<string, string>> = {},
  ) {
    const wanted = Object.entries(attributes)
      .map(([k, v]) => ` ${k}="${v}"`)
      .join('');
    super(`${uri} has no link "${rel}"${wanted ? ` with${wanted}` : ''}`);
  }
}

/** A link pointed to an origin the client was neither given nor told to trust: no request was made. */
export class UntrustedOrigin extends ClientError {
  constructor(
    readonly uri: string,
    readonly origin: string,
  ) {
    super(`refusing to request ${uri}: origin ${origin} is not trusted`);
  }
}

/** The host could not be reached (refused, unknown, timed out, reset). */
export class Unreachable extends ClientError {
  constructor(
    readonly uri: string,
    readonly code: string,
  ) {
    super(`cannot reach ${uri} (${code})`);
  }
}

/** The request failed below HTTP in a way that is not plainly "unreachable" (a protocol error of the stack, say). */
export class TransportFailed extends ClientError {
  constructor(
    readonly uri: string,
    readonly code: string,
    message: string,
    cause?: unknown,
  ) {
    super(`${uri}: request failed (${code}): ${message}`, { cause });
  }
}

/** A response body grew past the client's `maxResponseBytes` (after decompression): the request was aborted. */
export class ResponseTooLarge extends ClientError {
  constructor(
    readonly uri: string,
    readonly limit: number,
  ) {
    super(`${uri}: response body exceeds ${limit} bytes; request aborted`);
  }
}

/** A root publishes no collection of this name. */
export class UnknownCollection extends ClientError {
  constructor(
    readonly collection: string,
    readonly uri: string,
  ) {
    super(`${uri} publishes no collection "${collection}"`);
  }
}

/** A URL given as an API root answered something else (a collection, the OpenAPI document, a web page). */
export class NotARoot extends ClientError {
  constructor(
    readonly uri: string,
    /** What it is instead: "an OpenAPI document", "the collection \"items\"", "an HTML page", … */
    readonly what: string,
    /** Where the root likely is: the document's `up` link, or its origin's `/`. */
    readonly root: string,
  ) {
    super(`${uri} is ${what}, not an API root (no sync:collection link); the root is likely ${root}`);
  }
}

/** A response that is not the HAL document (or JSON) the protocol promises. */
export class UnexpectedResponse extends ClientError {
  constructor(
    readonly uri: string,
    message: string,
  ) {
    super(`${uri}: ${message}`);
  }
}

/**
 * A node sent what breaks the protocol's rules (an item id that is no UUID, a fingerprint that
 * is not its data's, a timestamp outside the grammar, a lone surrogate): the sync stops before
 * applying anything of it. Names the node, the item (when it had a readable id) and what is wrong.
 */
export class ProtocolViolation extends UnexpectedResponse {
  constructor(
    readonly node: string,
    uri: string,
    readonly itemId: string | undefined,
    readonly problems: readonly string[],
  ) {
    super(uri, `${node} sent ${itemId === undefined ? 'an entry' : `item ${itemId}`} that breaks the protocol: ${problems.join('; ')}`);
  }
}

/** The sync restarted from Step 1 as often as allowed and still met concurrent writes. */
export class RetriesExhausted extends ClientError {
  constructor(
    readonly attempts: number,
    reason: string,
  ) {
    super(`gave up after ${attempts} attempts: the data kept changing during the sync (${reason})`);
  }
}

const PROBLEM_TYPE = /^application\/problem\+json\b/i;

/** The error for a failed response: a `Problem` for problem+json, an `HttpError` otherwise. */
export function problemFactory(method: string, uri: string, status: number, contentType: string | undefined, body: Uint8Array): HttpError {
  const text = utf8(body);
  if (contentType && PROBLEM_TYPE.test(contentType)) {
    try {
      const document: unknown = JSON.parse(text);
      if (document && typeof document === 'object' && !Array.isArray(document)) {
        return new Problem(method, uri, status, document as Record<string, unknown>);
      }
    } catch {
      // A broken problem document is still an HTTP error; fall through.
    }
  }
  const shown = text.trim().slice(0, 200);
  return new HttpError(method, uri, status, `${method} ${uri}: HTTP ${status}${shown ? `: ${shown}` : ''}`);
}

const decoder = new TextDecoder();

/** A body as text (invalid UTF-8 becomes U+FFFD, as a browser decodes it). */
export function utf8(body: Uint8Array): string {
  return decoder.decode(body);
}
