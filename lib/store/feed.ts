import type { Change } from './store.js';

/**
 * The listeners of one store, per collection, told after a committed write. Each store's
 * `watch` is built on one; a listener may be told when nothing it cares about changed (the
 * caller re-reads), never left untold after a change it subscribed for.
 */
export class ChangeFeed {
  private readonly listeners = new Map<string, Set<(change: Change) => void>>();

  /** Adds a listener; returns the function that removes it. */
  on(collection: string, listener: (change: Change) => void): () => void {
    let set = this.listeners.get(collection);
    if (!set) this.listeners.set(collection, (set = new Set()));
    // Wrapped, so the same function subscribed twice is removed once per subscription.
    const entry = (change: Change) => listener(change);
    set.add(entry);
    return () => {
      set.delete(entry);
      if (set.size === 0 && this.listeners.get(collection) === set) this.listeners.delete(collection);
    };
  }

  /** Tells the collection's listeners of a change; without its channels, as one that may touch any. */
  emit(collection: string, change: Change = {}): void {
    for (const listener of [...(this.listeners.get(collection) ?? [])]) listener(change);
  }

  /** Tells every listener: a change may have happened that the store cannot attribute to a collection. */
  emitAll(): void {
    for (const collection of [...this.listeners.keys()]) this.emit(collection);
  }

  get watched(): boolean {
    return this.listeners.size > 0;
  }
}
