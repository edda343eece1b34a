import type { VersionWithData } from '../protocol/types.js';
import type { LogPage, Replica, ReplicaEntry } from './replica.js';

/** Told how many more log entries were read, or items' data fetched. */
export interface Counters {
  read(entries: number): void;
  fetched(items: number): void;
}

/** Items one `data` call asks for: the granularity of a fetch's progress. */
export const DATA_SLICE = 200;

/**
 * The replica, reporting what passes through it: the entries of each log page as it is read,
 * and items' data fetched in slices (each slice still at the client's concurrency), so a
 * progress display moves while a step runs instead of jumping from nothing to done.
 */
export function counting(replica: Replica, counters: Counters): Replica {
  async function* changes(since: string | null): AsyncGenerator<LogPage> {
    for await (const page of replica.changes(since)) {
      counters.read(page.entries.length);
      yield page;
    }
  }
  async function data(entries: readonly ReplicaEntry[]): Promise<Map<string, VersionWithData>> {
    const found = new Map<string, VersionWithData>();
    for (let at = 0; at < entries.length; at += DATA_SLICE) {
      const slice = entries.slice(at, at + DATA_SLICE);
      for (const [itemId, version] of await replica.data(slice)) found.set(itemId, version);
      counters.fetched(slice.length);
    }
    return found;
  }
  // A proxy, not a copy: every other member stays the replica's own, bound to it.
  return new Proxy(replica, {
    get(target, property) {
      if (property === 'changes') return changes;
      if (property === 'data') return data;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
