/** halsync's public API: what is not exported here is private. */
export { fingerprint, canonicalJson, TOMBSTONE_FINGERPRINT } from './protocol/fingerprint.js';
export { rels } from './protocol/rels.js';
export type { Json, Version, VersionWithData, Item, LogEntry, SyncEntry, SyncLog, SyncResult, ConflictDetail, JobState } from './protocol/types.js';
export {
  HalsyncError,
  BadRequest,
  ValidationFailed,
  NotFound,
  Gone,
  CursorExpired,
  PreconditionFailed,
  UnsupportedMediaType,
  PayloadTooLarge,
  Unauthorized,
  Forbidden,
  MethodNotAllowed,
  NotAcceptable,
  SyncConflict,
  InternalError,
  type FieldError,
} from './protocol/problems.js';
export type { Store, StoredItem, Write, Precondition, ApplyOptions, ApplyOutcome, Conflict, ChangesQuery, ChangesPage } from './store/store.js';
export { MemoryStore } from './store/memory.js';
export { openStore, DEFAULT_STORE_URL } from './store/open.js';
export { createApp, DEFAULT_ASYNC_THRESHOLD, type AppOptions } from './server/app.js';
export { DEFAULT_PATHS, type Paths } from './server/links.js';
export { type CollectionConfig } from './server/collections.js';
export { DEFAULT_BODY_LIMIT } from './server/body.js';
export { runServe, type ServeOptions } from './server/serve.js';
