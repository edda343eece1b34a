import type { FieldError } from '../protocol/problems.js';
import type { Version } from '../protocol/types.js';

/**
 * What a store (and the store-level operations beside it, such as restoreConflict) raises.
 * They say what went wrong in the store's terms; the server alone decides what HTTP answer
 * each one is (lib/server/http/problem.ts).
 */
export class StoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A store that cannot be opened or reached: a corrupt or unreadable SQLite file, a PostgreSQL
 * server that refuses the connection. Raised by openStore (and by a store whose database goes
 * away later), naming the store and the cause, so a node fails at start rather than at the
 * first request.
 */
export class StoreUnavailable extends StoreError {
  constructor(
    readonly store: string,
    cause: unknown,
  ) {
    super(`store ${store} is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.cause = cause;
  }
}

/** A conflict record the store does not have (never recorded, or purged by audit retention). */
export class ConflictRecordNotFound extends StoreError {
  constructor(
    readonly collection: string,
    readonly conflictId: string,
  ) {
    super(`collection "${collection}" has no conflict record ${conflictId}`);
  }
}

/** A request the store cannot carry out as asked, whatever its data: each field error names what to change. */
export class InvalidRequest extends StoreError {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** Data the store was asked to write that the collection's schema refuses. */
export class InvalidData extends StoreError {
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message);
  }
}

/** A restore the writer's grants do not cover (RestoreOptions.authorize said no): nothing was written. */
export class RestoreForbidden extends StoreError {}

/**
 * A restore refused because the item is no longer what the decision left (someone edited it
 * since, or the record was already restored): restoring would overwrite that edit. `force`
 * restores anyway. `current` is the item's present version, or null.
 */
export class ItemChanged extends StoreError {
  constructor(
    message: string,
    readonly current: Version | null,
  ) {
    super(message);
  }
}
