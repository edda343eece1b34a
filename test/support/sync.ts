import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint } from '../../lib/protocol/fingerprint.js';
import type { Json } from '../../lib/protocol/types.js';
import type { Store } from '../../lib/store/store.js';

/** Helpers for sync tests: write items straight into a store, and read a collection back. */

let counter = 0;
/** A fresh UUID-shaped id, readable in failures (…0001, …0002). */
export function newId(): string {
  counter++;
  return `00000000-0000-4000-8000-${counter.toString().padStart(12, '0')}`;
}

/** An origin write (the store stamps updatedAt), or a version with a given updatedAt. */
export async function put(store: Store, itemId: string, data: Json, updatedAt: string | null = null, collection = 'items'): Promise<void> {
  const outcome = await store.apply(collection, [{ itemId, data, deleted: false, fingerprint: fingerprint(data), updatedAt, precondition: { kind: 'none' } }]);
  if (!outcome.ok) throw new Error('test write refused');
}

export async function remove(store: Store, itemId: string, updatedAt: string | null = null, collection = 'items'): Promise<void> {
  const outcome = await store.apply(collection, [
    { itemId, data: null, deleted: true, fingerprint: fingerprint(null), updatedAt, precondition: { kind: 'none' } },
  ]);
  if (!outcome.ok) throw new Error('test delete refused');
}

/** Every item of a collection as `{ id: data }` (tombstones as null), for comparing replicas. */
export async function contents(store: Store, collection = 'items'): Promise<Record<string, Json>> {
  const page = await store.changes(collection, { limit: 100_000, withData: true });
  return Object.fromEntries(page.entries.map((e) => [e.itemId, e.deleted ? null : e.data!] as const).sort(([a], [b]) => a.localeCompare(b)));
}

/** Versions too, to check that both sides hold the same updatedAt. */
export async function versions(store: Store, collection = 'items'): Promise<Record<string, string>> {
  const page = await store.changes(collection, { limit: 100_000, withData: false });
  return Object.fromEntries(
    page.entries.map((e) => [e.itemId, `${e.updatedAt} ${e.fingerprint} ${e.deleted}`] as const).sort(([a], [b]) => a.localeCompare(b)),
  );
}

export async function stateFile(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), 'halsync-')), 'state.json');
}

export const at = (iso: string, ms = 0): string => new Date(Date.parse(iso) + ms).toISOString();
