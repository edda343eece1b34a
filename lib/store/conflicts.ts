import { losers, type Side, type StoredConflict } from '../protocol/conflicts.js';
import { fingerprint } from '../protocol/fingerprint.js';
import { toIso } from '../protocol/time.js';
import type { FieldError } from '../protocol/problems.js';
import type { Json } from '../protocol/types.js';
import { versionOf } from '../protocol/version.js';
import { ConflictRecordNotFound, InvalidData, InvalidRequest, ItemChanged, RestoreForbidden } from './errors.js';
import { channelsOfWrite } from './scopes.js';
import type { ApplyOptions, Precondition, Store, StoredItem, Write } from './store.js';

export interface RestoreOptions {
  /** Which losing version (required after a merge, where both lost; otherwise the one loser). */
  side?: Side;
  /** Restore even when the item changed since the decision, or the record was already restored. */
  force?: boolean;
  /** The clock the restore is stamped from. */
  now?: () => Date;
  /** Field errors of the data to restore against the collection's present schema; any is an InvalidData. */
  check?: (data: Json) => FieldError[] | void;
  /**
   * The channels the collection finds in the data to restore (see Write.channels); without it
   * the restored version has none. A restored deletion keeps the item's present channels.
   * A value the collection refuses belongs in `check`'s errors.
   */
  channels?: (data: Json) => readonly string[];
  /**
   * Whether the writer may make the restore (see ApplyOptions.authorize): asked before the
   * record's own checks, and again inside the store's transaction. No: RestoreForbidden.
   */
  authorize?: ApplyOptions['authorize'];
}

export interface Restored {
  record: StoredConflict;
  /** The item after the restore. */
  item: StoredItem;
  /** Whether the item did not exist before (its tombstone had been purged). */
  created: boolean;
}

/**
 * Restores the losing version of a recorded conflict: writes its data (or its deletion) as a
 * normal origin edit of the item, so the store stamps a new updatedAt from its clock and the
 * edit syncs everywhere like any other, and marks the record restored in the same transaction.
 *
 * Refused with ItemChanged when the item is no longer the version the decision left, or
 * the record was already restored, unless `force`: a restore must not silently overwrite an
 * edit made after the decision.
 */
export async function restoreConflict(store: Store, collection: string, conflictId: string, options: RestoreOptions = {}): Promise<Restored> {
  const record = await store.getConflict(collection, conflictId);
  if (!record) throw new ConflictRecordNotFound(collection, conflictId);
  const side = chooseSide(record, options.side);
  const version = record[side];
  const data = version.deleted ? null : version.data;
  if (!version.deleted) {
    const errors = options.check?.(data) ?? [];
    if (errors.length > 0) throw new InvalidData(`the ${side} version's data no longer matches the schema of collection "${collection}"`, errors);
  }
  const current = await store.getItem(collection, record.itemId);
  const precondition: Precondition = options.force ? { kind: 'none' } : { kind: 'base', fingerprint: current ? current.fingerprint : null };
  // A store records nothing for the deletion of an item it does not have (its tombstone was
  // purged): stamped here instead, the restored deletion is recorded and syncs on like any other.
  const updatedAt = version.deleted && current === null ? toIso((options.now ?? (() => new Date()))()) : null;
  const write: Write = {
    itemId: record.itemId,
    deleted: version.deleted,
    data,
    fingerprint: fingerprint(data),
    updatedAt,
    precondition,
    ...(options.channels && !version.deleted ? { channels: options.channels(data) } : {}),
  };
  const forbidden = () => new RestoreForbidden(`your write grants on collection "${collection}" do not cover restoring item ${record.itemId}`);
  if (options.authorize && !options.authorize(current, channelsOfWrite(current, write), write)) throw forbidden();
  if (!options.force) refuseIfChanged(record, current);
  const outcome = await store.apply(collection, [write], {
    restoring: { conflictId, side },
    ...(options.now ? { now: options.now } : {}),
    ...(options.authorize ? { authorize: options.authorize } : {}),
  });
  if (!outcome.ok && outcome.forbidden) throw forbidden();
  if (!outcome.ok) {
    const now = outcome.mismatches[0]?.current ?? null;
    throw new ItemChanged(`item ${record.itemId} changed while it was being restored`, now && versionOf(now));
  }
  return { record: (await store.getConflict(collection, conflictId)) ?? record, item: outcome.items[0]!, created: current === null };
}

function chooseSide(record: StoredConflict, asked: Side | undefined): Side {
  const lost = losers(record);
  if (asked === undefined) {
    if (lost.length === 1) return lost[0]!;
    throw new InvalidRequest('a resolver merged this conflict, so both versions lost: name the side to restore (side=local or side=remote)', [
      { pointer: '/side', detail: 'required after a merge' },
    ]);
  }
  if (!lost.includes(asked)) {
    throw new InvalidRequest(`the ${asked} version won this conflict; only the ${lost.join(' and ')} version can be restored`, [
      { pointer: '/side', detail: `must be ${lost.join(' or ')}` },
    ]);
  }
  return asked;
}

function refuseIfChanged(record: StoredConflict, current: StoredItem | null): void {
  if (record.restored) {
    throw new ItemChanged(
      `the ${record.restored.side} version was already restored at ${record.restored.restoredAt}; add force=true to restore again`,
      current && versionOf(current),
    );
  }
  // A deletion that won and whose tombstone retention has since purged is still that deletion.
  const same = current === null ? record.result.deleted : current.fingerprint === record.result.fingerprint && current.deleted === record.result.deleted;
  if (!same) {
    throw new ItemChanged(`item ${record.itemId} changed since the decision; add force=true to overwrite its present version`, current && versionOf(current));
  }
}
