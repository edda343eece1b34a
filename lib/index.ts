/** halsync's public API: what is not exported here is private. */
export { fingerprint, canonicalJson, TOMBSTONE_FINGERPRINT } from './protocol/fingerprint.js';
export { rels } from './protocol/rels.js';
export type { Json, Version, VersionWithData, Item, LogEntry, SyncEntry, SyncLog, SyncResult, Mismatch, JobState } from './protocol/types.js';
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
  ServiceUnavailable,
  Unauthorized,
  Forbidden,
  MethodNotAllowed,
  NotAcceptable,
  SyncRejected,
  InternalError,
  PROBLEM_TYPE,
  type FieldError,
} from './protocol/problems.js';
export type { Store, StoredItem, Write, Precondition, ApplyOptions, ApplyOutcome, PreconditionMismatch, ChangesQuery, ChangesPage } from './store/store.js';
export { StoreError, StoreUnavailable, ConflictRecordNotFound, InvalidRequest, InvalidData, ItemChanged } from './store/errors.js';
// Scopes (DESIGN §7): an item's channels, and what a scoped log and a watcher are told.
export type { StoredEntry, StoredRemoval, Change } from './store/store.js';
export { channelReader, visibleUnder, ALL_CHANNELS, type ChannelSource, type ChannelsResult } from './protocol/channels.js';
export type { ConflictsQuery, ConflictsPage } from './store/store.js';
// The conflict audit: records, and restoring a losing version (also over HTTP: sync:conflicts, sync:restore).
export { conflictId, losers, type ConflictRecord, type ConflictRule, type Side, type StoredConflict } from './protocol/conflicts.js';
export { restoreConflict, type RestoreOptions, type Restored } from './store/conflicts.js';
export { MemoryStore } from './store/memory.js';
export { IdbStore } from './store/idb.js';
// What app code writes through: origin edits with their fingerprint and clock stamp, and change subscriptions.
export { LocalItems, VersionMismatch, type LocalItem, type LocalChange, type LocalWriteOptions, type LocalItemsOptions } from './store/local.js';
export { openStore, DEFAULT_STORE_URL } from './store/open.js';
export { createApp, shutdownApp, DEFAULT_ASYNC_THRESHOLD, type AppOptions } from './server/app.js';
export { listen, DEFAULT_JOB_WAIT_MS, type ListenOptions, type Listening } from './server/listen.js';
export { DEFAULT_PATHS, type Paths } from './server/http/links.js';
export { type CollectionConfig } from './server/collections.js';
// Scopes (DESIGN §7): who a request speaks for, for createApp({ authenticate }).
export { type Principal, type Grant } from './server/principal.js';
export { type Authenticate, type AccessToken } from './server/http/auth.js';
export { type JwtOptions, type PrincipalEntry } from './server/principals.js';
export { DEFAULT_BODY_LIMIT } from './server/http/body.js';
export { purgeExpired, purgeExpiredConflicts } from './server/retention.js';
export { parseDuration } from './protocol/duration.js';
export { isItemId } from './protocol/ids.js';

// The client: link-following HTTP, replicas, and the reconciliation engine.
export { HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions } from './client/http.js';
export type { Transport, TransportRequest, TransportResponse, TransportOptions, TrafficStats } from './client/transport.js';
export { GotTransport } from './client/transport-got.js';
export { FetchTransport, type FetchTransportOptions } from './client/transport-fetch.js';
export { Resource, Follow } from './client/resource.js';
export type { Link } from './protocol/types.js';
export { readRoot } from './client/root.js';
export { HalDocument, type FollowParams, type TemplateValue, type JsonObject } from './client/hal.js';
export {
  ClientError,
  HttpError,
  Problem,
  LinkNotFound,
  UntrustedOrigin,
  Unreachable,
  UnknownCollection,
  UnexpectedResponse,
  NotARoot,
  RetriesExhausted,
  ResponseTooLarge,
  TransportFailed,
  ProtocolViolation,
  problemFactory,
} from './client/errors.js';
export type { Replica, ReplicaEntry, LogPage, ApplyResult, ReplicaApplyOptions } from './client/replica.js';
export { StoreReplica } from './client/store-replica.js';
export { NodeReplica, type NodeReplicaOptions } from './client/node-replica.js';
export { decide, type Prefer, type Winner, type Rule, type Resolution, type Resolver, type Policy, type Verdict } from './client/decide.js';
export { sync, type SyncOptions, type SyncProgress, type Step } from './client/sync.js';
export { syncStore, syncNodes, type SyncRunOptions, type NodeSyncOptions } from './client/connect.js';
export { DEFAULT_WAIT_SECONDS, type LiveOptions } from './client/live.js';
export { storeCheckpoints, checkpointKey, type Checkpoints, type CheckpointPair } from './client/checkpoints.js';
export { fileCheckpoints } from './client/state-file.js';
export type { SyncReport, Decision, DecisionLog } from './client/report.js';
