/** The protocol's nouns as TypeScript types. Wire shapes live in spec/*.schema.json. */

/** A JSON value: what an item's `data` may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** One version of an item: what two nodes compare. A tombstone has `deleted: true, data: null`. */
export interface Version {
  updatedAt: string;
  fingerprint: string;
  deleted: boolean;
}

/** A version together with its content. */
export interface VersionWithData extends Version {
  data: Json;
}

/** An item as one node holds it. */
export interface Item extends VersionWithData {
  itemId: string;
}

/** A transaction log entry: an item's latest change, with its content only when embedded. */
export interface LogEntry extends Version {
  itemId: string;
  data?: Json;
}

/** One entry of a sync log (the PUT body of a transaction log). */
export interface SyncEntry extends VersionWithData {
  itemId: string;
  /** The fingerprint the client saw on this node in Step 1; null: it saw no item; absent: the log did not list it. */
  base?: string | null;
}

/** The PUT body of a transaction log. */
export interface SyncLog {
  since?: string;
  entries: SyncEntry[];
}

/** The 200 answer to a sync log PUT. */
export interface SyncResult {
  applied: number;
  checkpoint: string;
}

/**
 * One refused precondition of a sync log PUT: the fingerprint the entry expected was not the
 * node's (an element of the 409 problem's `conflicts`, the wire name). Not a decided conflict:
 * those are ConflictRecords (lib/protocol/conflicts.ts).
 */
export interface Mismatch {
  itemId: string;
  expected: string | null;
  actual: string | null;
  current: VersionWithData | null;
}

/** The async job resource's states. */
export type JobState = 'pending' | 'running' | 'succeeded' | 'failed';

/** A HAL link object (draft-kelly-json-hal §5): what nodes write and clients follow; a client keeps whatever other attributes it was sent. */
export interface Link {
  [attribute: string]: string | boolean | undefined;
  href: string;
  templated?: boolean;
  name?: string;
  title?: string;
  type?: string;
  profile?: string;
  deprecation?: string;
}
