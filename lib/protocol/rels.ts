/** Link relation names, matched by their literal CURIE name (clients differ on expanding them). */
export const CURIE_PREFIX = 'sync';

export const rels = {
  collection: 'sync:collection',
  transactions: 'sync:transactions',
  item: 'sync:item',
  entry: 'sync:entry',
  job: 'sync:job',
  conflicts: 'sync:conflicts',
  conflict: 'sync:conflict',
  restore: 'sync:restore',
  serviceDesc: 'service-desc',
  serviceDoc: 'service-doc',
  describedBy: 'describedby',
  next: 'next',
  self: 'self',
  collectionUp: 'collection',
} as const;

/** The relations in the `sync` namespace, each documented at `/rels/{rel}`. */
export const syncRels = ['collection', 'transactions', 'item', 'entry', 'job', 'conflicts', 'conflict', 'restore'] as const;
export type SyncRel = (typeof syncRels)[number];
