import type { Checkpoints } from './checkpoints.js';
import type { LogPage, Replica } from './replica.js';
import type { Decision, SyncReport } from './report.js';
import { syncEntry } from './plan.js';
import { readAhead } from './read-ahead.js';
import { applyTo, fetchData, type ReadLog } from './steps.js';
import type { Step, SyncProgress } from './sync.js';

/**
 * The first sync of an empty local side, page by page: memory bounded by the page size, not by
 * the remote log (a million items need not be held). With no checkpoint pair and nothing in
 * the local log, every remote entry is "changed on one side only" and nothing is pushed, so
 * Steps 2 and 4 can run per page as the remote log is read. The guarantees of the four steps
 * still hold:
 * - the checkpoint pair is saved only at the end, so a sync that dies part-way is simply run
 *   again: with pulled items now in the local log it takes the ordinary path, finds them equal
 *   to the remote's and moves only the rest;
 * - each page's apply carries the local checkpoint the previous one answered as `since`, and
 *   each entry the precondition "unchanged since": a local write meanwhile to a pulled item is
 *   refused (the attempt restarts from Step 1), and one to any other item keeps the local
 *   checkpoint before it (an apply answers `since` itself then), so the next sync sees it;
 * - an item the remote changed while its log was read comes again on a later page and is
 *   applied again over our own earlier copy; the remote checkpoint is the one after the last page;
 * - every entry is checked as it is read (NodeReplica), so a page that breaks the protocol
 *   ends the sync before it is applied; pages applied before it were sound ones.
 * A log of one page is returned as read: the caller takes the ordinary path with it. So the first
 * page is held until the log shows whether another follows, which a page that says so (`more`)
 * shows at once: it is applied while the next is read.
 */

export interface FirstSyncContext {
  collection: string;
  checkpoints: Checkpoints;
  /** Where each page's decisions go, once the page is applied (none: they are not kept). */
  decisions: ((decisions: readonly Decision[]) => void) | undefined;
  progress: (progress: SyncProgress) => void;
  afterStep: (step: Step) => Promise<void>;
}

export type FirstSyncOutcome = { done: true } | { done: false; remoteLog: ReadLog };

/** Whether a sync may take this strategy: nothing saved, and nothing on the local side. */
export function firstSyncApplies(saved: unknown, localLog: ReadLog): boolean {
  return saved === null && localLog.entries.size === 0;
}

export async function pullPageByPage(
  local: Replica,
  remote: Replica,
  localLog: ReadLog,
  context: FirstSyncContext,
  report: SyncReport,
): Promise<FirstSyncOutcome> {
  let localCheckpoint = localLog.checkpoint;
  // Pages are applied one after the other, each with the `since` the one before answered; each is
  // staged (its data fetched; a node's sync log serialised and compressed) while the one before it
  // is applied, so the local side does not wait for the client's share of the work between pages.
  let applying: Promise<void> = Promise.resolve();
  const pull = async (page: Pick<LogPage, 'entries' | 'removals'>) => {
    const data = await fetchData(remote, page.entries);
    const pulls = page.entries.map((entry) => syncEntry(entry.itemId, data.get(entry.itemId)!, undefined));
    const prepared = pulls.length > 0 ? local.prepare?.(pulls) : undefined;
    try {
      await applying;
    } catch (error) {
      prepared?.discard();
      throw error;
    }
    applying = (async () => {
      localCheckpoint = await applyTo(local, localCheckpoint, pulls, report, 'pulled', [], prepared);
      context.decisions?.(
        page.entries.map((entry): Decision => ({ collection: context.collection, itemId: entry.itemId, winner: 'remote', rule: 'one-side' })),
      );
      context.progress({ collection: context.collection, step: 4, done: report.pulled });
      // A later page is read with a cursor, so it may list a removal of an item pulled before.
      if (page.removals?.length && local.drop) report.dropped += await local.drop(page.removals, localCheckpoint);
    })();
    // Awaited by the next page or at the end: never an unhandled rejection meanwhile.
    applying.catch(() => undefined);
  };

  let held: LogPage | undefined;
  let remoteCheckpoint: string | null = null;
  let pages = 0;
  try {
    for await (const page of readAhead(remote.changes(null))) {
      pages++;
      if (pages === 1 && page.more !== true) held = page;
      else {
        // A longer log than one page: what was held goes first, then every page as it comes.
        if (held) await pull(held);
        held = undefined;
        await pull(page);
      }
      remoteCheckpoint = page.checkpoint;
    }
    await applying;
  } finally {
    // Left early (a page refused, a restart): the apply under way ends before the attempt does.
    await applying.catch(() => undefined);
  }
  if (remoteCheckpoint === null) throw new Error(`${remote.description}: its log gave no checkpoint`);
  if (pages <= 1) {
    const entries = new Map((held?.entries ?? []).map((entry) => [entry.itemId, entry]));
    return { done: false, remoteLog: { entries, checkpoint: remoteCheckpoint, restarted: false } };
  }
  for (const step of [1, 2, 3] as const) await context.afterStep(step);
  await context.checkpoints.save({ local: localCheckpoint, remote: remoteCheckpoint });
  await context.afterStep(4);
  return { done: true };
}
