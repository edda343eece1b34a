import type { Version, VersionWithData } from './types.js';

/**
 * The version of anything that carries one (an item, a stored row, a log entry): what two
 * nodes compare, without the rest of the record. One projection, so a field added to
 * `Version` reaches every comparison at once.
 */
export function versionOf(source: Version): Version {
  return { updatedAt: source.updatedAt, fingerprint: source.fingerprint, deleted: source.deleted };
}

/** The version with its content; a tombstone's data is null whatever the source held. */
export function versionWithData(source: Version & { data?: unknown }, data = source.data): VersionWithData {
  // Spelled out, not spread from versionOf: this runs for every item a sync moves, and a spread
  // cost several times a literal there. test/protocol/version.test.ts holds the two to the same fields.
  return {
    updatedAt: source.updatedAt,
    fingerprint: source.fingerprint,
    deleted: source.deleted,
    data: source.deleted ? null : (data as VersionWithData['data']),
  };
}

/** Two versions are the same when their fingerprints and deleted flags agree (DESIGN §2). */
export function sameVersion(a: Pick<Version, 'fingerprint' | 'deleted'>, b: Pick<Version, 'fingerprint' | 'deleted'>): boolean {
  return a.fingerprint === b.fingerprint && a.deleted === b.deleted;
}
