import { appendFileSync, closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Decision, DecisionLog, SyncReport } from '../client/report.js';

/**
 * The decisions of a `halsync sync --json` run, spooled to a temporary file per collection while
 * it runs and streamed into the printed object at the end: a first sync of a million items lists
 * a million decisions, and holding them was most of the command's memory. Each collection's file
 * is emptied when an attempt of it starts again, as the report's list would be. Nothing is made on
 * disk until there is a decision to keep: a sync that moves nothing (the common case) writes no file.
 */
export class DecisionSpool implements DecisionLog {
  private dir: string | undefined;
  /** Per collection, in the order they were synced: its file (once it has a decision) and how many decisions it holds. */
  private readonly files = new Map<string, { path?: string; count: number }>();

  begin(collection: string): void {
    const file = this.files.get(collection);
    if (file?.path) writeFileSync(file.path, '');
    this.files.set(collection, { ...(file?.path ? { path: file.path } : {}), count: 0 });
  }

  add(decisions: readonly Decision[]): void {
    if (decisions.length === 0) return;
    const collection = decisions[0]!.collection;
    const file = this.files.get(collection);
    if (!file) throw new Error(`DecisionSpool: decisions of ${collection} added before it began`);
    this.dir ??= mkdtempSync(join(tmpdir(), 'halsync-decisions-'));
    file.path ??= join(this.dir, `${[...this.files.keys()].indexOf(collection)}.json`);
    appendFileSync(file.path, (file.count > 0 ? ',' : '') + JSON.stringify(decisions).slice(1, -1));
    file.count += decisions.length;
  }

  /**
   * Writes the report as one line of JSON, its `decisions` those spooled, in the order they were
   * made: the same text `JSON.stringify(report)` gives for a report that held them.
   */
  async print(report: SyncReport, write: (chunk: string | Uint8Array) => Promise<void>): Promise<void> {
    // JSON.stringify escapes every quote inside a string, so this text occurs once: as the key.
    const [head, tail] = JSON.stringify({ ...report, decisions: [] }).split('"decisions":[]') as [string, string];
    await write(`${head}"decisions":[`);
    let first = true;
    for (const file of this.files.values()) {
      if (file.count === 0 || !file.path) continue;
      if (!first) await write(',');
      first = false;
      await this.copy(file.path, write);
    }
    await write(`]${tail}\n`);
  }

  /** Removes the spool. */
  close(): void {
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async copy(path: string, write: (chunk: string | Uint8Array) => Promise<void>): Promise<void> {
    const fd = openSync(path, 'r');
    try {
      // Bytes, not text: a chunk may end inside a character. A new buffer each time, since a
      // write may still hold the last one.
      for (;;) {
        const buffer = Buffer.allocUnsafe(1 << 20);
        const n = readSync(fd, buffer);
        if (n === 0) return;
        await write(buffer.subarray(0, n));
      }
    } finally {
      closeSync(fd);
    }
  }
}
