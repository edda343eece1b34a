/**
 * Typed errors. Each one knows its RFC 9457 problem document; the server turns any of them
 * into application/problem+json in one place (lib/server/http/problem.ts).
 */
/**
 * Problem types are the bare names the design uses (`cursor-expired`, `conflict`, …): RFC 9457
 * allows a relative URI reference, and a bare name compares equal wherever a client checks it.
 */
export const PROBLEM_BASE = '';

/** The media type of every error answer (RFC 9457). */
export const PROBLEM_TYPE = 'application/problem+json';

/** A field-level validation failure: the JSON Pointer of the bad field and what is wrong. */
export interface FieldError {
  pointer: string;
  detail: string;
}

export class HalsyncError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly extensions: Record<string, unknown>;

  constructor(status: number, name: string, title: string, detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.status = status;
    this.type = PROBLEM_BASE + name;
    this.title = title;
    this.extensions = extensions;
  }

  get detail(): string {
    return this.message;
  }

  /** The problem document, without `instance` (the server adds it). */
  toProblem(): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.status, detail: this.message, ...this.extensions };
  }
}

export class BadRequest extends HalsyncError {
  constructor(detail: string, errors?: FieldError[], name = 'bad-request') {
    super(400, name, 'Bad request', detail, errors ? { errors } : {});
  }
}

export class ValidationFailed extends HalsyncError {
  constructor(detail: string, errors: FieldError[]) {
    super(422, 'validation-failed', 'Validation failed', detail, { errors });
  }
}

/**
 * A version stamped later than the receiving node's clock allows: it would win every conflict
 * of its item until that time, so it is refused (DESIGN §2).
 */
export class ClockSkew extends HalsyncError {
  constructor(detail: string, errors: FieldError[]) {
    super(422, 'clock-skew', 'Clock skew', detail, { errors });
  }
}

export class NotFound extends HalsyncError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class Gone extends HalsyncError {
  constructor(detail: string, name = 'gone') {
    super(410, name, name === 'cursor-expired' ? 'Cursor expired' : 'Gone', detail);
  }
}

export class CursorExpired extends Gone {
  constructor(detail: string) {
    super(detail, 'cursor-expired');
  }
}

export class PreconditionFailed extends HalsyncError {
  constructor(detail: string) {
    super(412, 'precondition-failed', 'Precondition failed', detail);
  }
}

export class MethodNotAllowed extends HalsyncError {
  constructor(
    detail: string,
    readonly allow: string[],
  ) {
    super(405, 'method-not-allowed', 'Method not allowed', detail);
  }
}

export class NotAcceptable extends HalsyncError {
  constructor(detail: string) {
    super(406, 'not-acceptable', 'Not acceptable', detail);
  }
}

export class UnsupportedMediaType extends HalsyncError {
  constructor(detail: string) {
    super(415, 'unsupported-media-type', 'Unsupported media type', detail);
  }
}

export class PayloadTooLarge extends HalsyncError {
  constructor(detail: string, name: 'payload-too-large' | 'too-many-entries' = 'payload-too-large') {
    super(413, name, name === 'too-many-entries' ? 'Too many entries' : 'Payload too large', detail);
  }
}

const SERVICE_UNAVAILABLE_TITLES = { 'request-timeout': 'Request timeout', 'too-many-jobs': 'Too many jobs', overloaded: 'Overloaded' };

/** The node cannot take the request now and wrote nothing; `retryAfter` (seconds) goes out as `Retry-After`. */
export class ServiceUnavailable extends HalsyncError {
  constructor(
    name: 'request-timeout' | 'too-many-jobs' | 'overloaded',
    detail: string,
    readonly retryAfter: number,
  ) {
    super(503, name, SERVICE_UNAVAILABLE_TITLES[name], detail);
  }
}

/** RFC 6750 §3: `error` is `invalid_token` when a bearer token was sent but is not one of the node's. */
export class Unauthorized extends HalsyncError {
  constructor(
    detail: string,
    readonly error?: 'invalid_token',
  ) {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

/** A valid token whose scope does not cover the request (RFC 6750 `insufficient_scope` when `scope` is given). */
export class Forbidden extends HalsyncError {
  constructor(
    detail: string,
    readonly scope?: string,
    /** The refused entries (`/entries/<i>`, or `/data` of an item write), for a write outside the grants (DESIGN §7). */
    errors?: FieldError[],
  ) {
    super(403, 'forbidden', 'Forbidden', detail, errors ? { errors } : {});
  }
}

/** A sync log refused because some preconditions no longer hold (its mismatches): nothing was applied. The wire keeps the type `conflict` and the `conflicts` array. */
export class SyncRejected extends HalsyncError {
  constructor(detail: string, mismatches: unknown[]) {
    super(409, 'conflict', 'Conflict', detail, { conflicts: mismatches });
  }
}

/** The server failed in a way the client cannot fix; the detail never shows internals. */
export class InternalError extends HalsyncError {
  constructor() {
    super(500, 'internal-error', 'Internal server error', 'the server failed to answer this request');
  }
}
