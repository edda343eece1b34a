import type { Context, Next } from 'koa';
import { isClientAbort } from './client-error.js';
import {
  BadRequest,
  Forbidden,
  HalsyncError,
  InternalError,
  MethodNotAllowed,
  NotFound,
  PROBLEM_TYPE,
  ServiceUnavailable,
  Unauthorized,
  ValidationFailed,
} from '../../protocol/problems.js';
import { ConflictRecordNotFound, InvalidData, InvalidRequest, ItemChanged, RestoreForbidden, StoreError, StoreUnavailable } from '../../store/errors.js';

/**
 * The one error path: any HalsyncError becomes its problem document, a store's errors the
 * problem they stand for (storeProblem); Koa's own HTTP errors
 * (status + expose) keep their status; anything else is a 500 whose cause stays in the
 * server (emitted as the app's `error` event), never in the response.
 */
export async function problems(ctx: Context, next: Next): Promise<void> {
  try {
    await next();
  } catch (err) {
    const problem = problemFor(err);
    if (isOwnFailure(problem, err)) ctx.app.emit('error', err, ctx);
    sendProblem(ctx, problem);
  }
}

/** Whether an error, answered as `problem`, is the node's own failure, to be reported (the app's `error` event). */
export function isOwnFailure(problem: HalsyncError, err: unknown): boolean {
  // A 503 is the node protecting itself as configured, and a client that went away is no failure of the node.
  return problem.status >= 500 && !(problem instanceof ServiceUnavailable) && !isClientAbort(err);
}

// Vary describes the negotiation, Connection the fate of a half-read request: both still hold.
const KEPT_HEADERS = new Set(['vary', 'connection']);

export function sendProblem(ctx: Context, problem: HalsyncError): void {
  // Headers a route set before it failed (ETag, Location) describe a response that never happened.
  // CORS headers say who may read the answer, whatever it is: a page must be able to read this one.
  for (const name of Object.keys(ctx.response.headers)) {
    if (!KEPT_HEADERS.has(name) && !name.startsWith('access-control-')) ctx.remove(name);
  }
  if (problem instanceof MethodNotAllowed) ctx.set('Allow', problem.allow.join(', '));
  const challenge = bearerChallenge(problem);
  if (challenge) ctx.set('WWW-Authenticate', challenge);
  if (problem instanceof ServiceUnavailable || problem instanceof StoreUnavailableProblem) ctx.set('Retry-After', String(problem.retryAfter));
  ctx.status = problem.status;
  ctx.type = PROBLEM_TYPE;
  ctx.body = problemDocument(ctx, problem);
}

/** RFC 6750 §3: the challenge of a 401, and of a 403 for want of scope. */
function bearerChallenge(problem: HalsyncError): string | undefined {
  if (problem instanceof Unauthorized) return `Bearer realm="halsync"${problem.error ? `, error="${problem.error}"` : ''}`;
  if (problem instanceof Forbidden && problem.scope) return `Bearer realm="halsync", error="insufficient_scope", scope="${problem.scope}"`;
  return undefined;
}

export function problemDocument(ctx: Context, problem: HalsyncError): Record<string, unknown> {
  return { ...problem.toProblem(), instance: ctx.path + ctx.search };
}

/** The problem an error is answered with, by a request or by the job it became. */
export function problemFor(err: unknown): HalsyncError {
  if (err instanceof HalsyncError) return err;
  if (err instanceof StoreError) return storeProblem(err);
  const e = err as { status?: unknown; expose?: unknown; message?: unknown };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500 && e.expose) {
    return new HttpProblem(e.status, String(e.message));
  }
  return new InternalError();
}

/** What each store error means over HTTP. */
function storeProblem(err: StoreError): HalsyncError {
  if (err instanceof ConflictRecordNotFound) return new NotFound(err.message);
  if (err instanceof InvalidRequest) return new BadRequest(err.message, err.errors);
  if (err instanceof InvalidData) return new ValidationFailed(err.message, err.errors);
  if (err instanceof ItemChanged) return new HalsyncError(409, 'item-changed', 'Item changed since the decision', err.message, { current: err.current });
  if (err instanceof RestoreForbidden) return new Forbidden(err.message, undefined, [{ pointer: '/data', detail: 'outside your write grants' }]);
  if (err instanceof StoreUnavailable) return new StoreUnavailableProblem(err.message);
  return new InternalError();
}

/**
 * Not a ServiceUnavailable: the node did not choose to refuse, so it is reported as a failure.
 * Like every 503 of the node it says when to try again; a store usually comes back or fails over.
 */
class StoreUnavailableProblem extends HalsyncError {
  readonly retryAfter = 1;
  constructor(detail: string) {
    super(503, 'store-unavailable', 'Store unavailable', detail);
  }
}

/** A client error raised by Koa itself (ctx.throw), shown as a generic problem. */
class HttpProblem extends HalsyncError {
  constructor(status: number, detail: string) {
    super(status, `http-${status}`, detail, detail);
  }
}
