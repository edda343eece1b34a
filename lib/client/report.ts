import type { Rule, Winner } from './decide.js';
import type { HttpClient } from './http.js';

/** One item's Step 2 outcome. */
export interface Decision {
  collection: string;
  itemId: string;
  winner: Winner;
  rule: Rule;
}

/** What a sync did; `--json` prints it as is. */
export interface SyncReport {
  collections: string[];
  /** Versions written to the local side, tombstones included. */
  pulled: number;
  /** Versions written to the remote side, tombstones included. */
  pushed: number;
  /** Tombstones among the pulled and pushed versions. */
  deleted: number;
  /** Items both sides had changed to different versions. */
  conflicts: number;
  /**
   * Conflicts decided but not recorded in the local side's audit: its node publishes no
   * `sync:conflicts`, or the POST of the records failed. The sync itself succeeded.
   */
  unrecorded: number;
  decisions: Decision[];
  /** Restarts from Step 1 after a concurrent write. */
  retries: number;
  /** HTTP requests, discovery included. */
  requests: number;
  /** Bytes on the wire, both ways, headers included. */
  bytes: number;
  ms: number;
  /** A checkpoint had expired (or belonged to another store), so a whole log was read again. */
  fullResync: boolean;
  /**
   * In a full resync, items only the local side listed and had not changed since its checkpoint
   * (the remote purged their tombstones, or no longer shows them): not pushed. `dropped` went
   * from a local store as removals; `stale` were kept (a node playing local keeps them).
   */
  dropped: number;
  stale: number;
}

/**
 * Where a run's decisions go instead of its report, for runs that must not hold one per item in
 * memory (`halsync sync --json` of a million items spools them to a file). An attempt that starts
 * again (a 409) replaces what earlier attempts of the same collection added.
 */
export interface DecisionLog {
  /** An attempt of this collection starts: forget what earlier attempts of it added. */
  begin(collection: string): void;
  add(decisions: readonly Decision[]): void;
}

export function emptyReport(): SyncReport {
  return {
    collections: [],
    pulled: 0,
    pushed: 0,
    deleted: 0,
    conflicts: 0,
    unrecorded: 0,
    decisions: [],
    retries: 0,
    requests: 0,
    bytes: 0,
    ms: 0,
    fullResync: false,
    dropped: 0,
    stale: 0,
  };
}

/** Adds one collection's report to a running total (traffic and time are the caller's to set). */
export function addReport(total: SyncReport, part: SyncReport): SyncReport {
  return {
    collections: [...total.collections, ...part.collections],
    pulled: total.pulled + part.pulled,
    pushed: total.pushed + part.pushed,
    deleted: total.deleted + part.deleted,
    conflicts: total.conflicts + part.conflicts,
    unrecorded: total.unrecorded + part.unrecorded,
    decisions: [...total.decisions, ...part.decisions],
    retries: total.retries + part.retries,
    requests: total.requests + part.requests,
    bytes: total.bytes + part.bytes,
    ms: total.ms + part.ms,
    fullResync: total.fullResync || part.fullResync,
    dropped: total.dropped + part.dropped,
    stale: total.stale + part.stale,
  };
}

export function summary(report: SyncReport): string {
  const kb = (report.bytes / 1024).toFixed(1);
  return (
    `synced ${report.collections.join(', ') || 'nothing'}: ${report.pulled} pulled, ${report.pushed} pushed, ${report.deleted} deleted, ` +
    `${report.conflicts} conflicts, ${report.retries} retries, ${report.requests} requests, ${kb} KiB in ${report.ms} ms` +
    (report.fullResync ? ' (full resync)' : '') +
    (report.dropped > 0 ? ` (${report.dropped} dropped: the remote forgot them)` : '') +
    (report.stale > 0 ? ` (${report.stale} stale: the remote forgot them; kept here)` : '') +
    (report.unrecorded > 0 ? ` (${report.unrecorded} conflicts not recorded in the local audit)` : '')
  );
}

/**
 * Runs a sync (one collection, several, a live round) and sets its report's `requests`, `bytes`
 * and `ms` to what the run cost on these clients: the one place traffic and time are counted.
 */
export async function measured(clients: ReadonlyArray<HttpClient | undefined>, run: () => Promise<SyncReport>): Promise<SyncReport> {
  const distinct = [...new Set(clients.filter((client): client is HttpClient => client !== undefined))];
  const traffic = () =>
    distinct.reduce((sum, client) => ({ requests: sum.requests + client.stats.requests, bytes: sum.bytes + client.stats.bytes }), { requests: 0, bytes: 0 });
  const started = Date.now();
  const before = traffic();
  const report = await run();
  const after = traffic();
  return { ...report, requests: after.requests - before.requests, bytes: after.bytes - before.bytes, ms: Date.now() - started };
}
