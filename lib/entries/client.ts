/**
 * `halsync/client`: the link-following client, replicas, the engine, the memory store and the
 * local API, for Node and browsers alike. Nothing here reaches a Node built-in or server code
 * (test/entries/bundle.test.ts bundles it for a browser to prove it); a browser build speaks
 * through fetch (package.json `browser` swaps the default transport).
 */
export { fingerprint, canonicalJson, TOMBSTONE_FINGERPRINT } from '../protocol/fingerprint.js';
export { rels } from '../protocol/rels.js';
export type { Json, Version, VersionWithData, Item, LogEntry, SyncEntry, SyncLog, SyncResult, Mismatch, JobState } from '../protocol/types.js';
export { conflictId, losers, type ConflictRecord, type ConflictRule, type Side, type StoredConflict } from '../protocol/conflicts.js';
export { channelReader, visibleUnder, ALL_CHANNELS, type ChannelSource, type ChannelsResult } from '../protocol/channels.js';
export { isItemId } from '../protocol/ids.js';
export type {
  Store,
  StoredItem,
  StoredEntry,
  StoredRemoval,
  Change,
  Write,
  Precondition,
  ApplyOptions,
  ApplyOutcome,
  PreconditionMismatch,
  ChangesQuery,
  ChangesPage,
  ConflictsQuery,
  ConflictsPage,
} from '../store/store.js';
export { StoreError, StoreUnavailable, ConflictRecordNotFound, InvalidRequest, InvalidData, ItemChanged } from '../store/errors.js';
export { restoreConflict, type RestoreOptions, type Restored } from '../store/conflicts.js';
export { MemoryStore } from '../store/memory.js';
export { LocalItems, VersionMismatch, type LocalItem, type LocalChange, type LocalWriteOptions, type LocalItemsOptions } from '../store/local.js';
export { openStore } from '../store/open.js';

export { HttpClient, type HttpClientOptions, type HttpResponse, type RequestOptions, type TrafficStats } from '../client/http.js';
export type { Transport, TransportRequest, TransportResponse, TransportOptions } from '../client/transport.js';
export { FetchTransport, type FetchTransportOptions } from '../client/transport-fetch.js';
export { Resource, Follow } from '../client/resource.js';
export { readRoot } from '../client/root.js';
export type { Link } from '../protocol/types.js';
export { HalDocument, type FollowParams, type TemplateValue, type JsonObject } from '../client/hal.js';
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
} from '../client/errors.js';
export type { Replica, ReplicaEntry, LogPage, ApplyResult, ReplicaApplyOptions } from '../client/replica.js';
export { StoreReplica } from '../client/store-replica.js';
export { NodeReplica, type NodeReplicaOptions } from '../client/node-replica.js';
export { decide, type Prefer, type Winner, type Rule, type Resolution, type Resolver, type Policy, type Verdict } from '../client/decide.js';
export { sync, type SyncOptions, type SyncProgress, type Step } from '../client/sync.js';
export { syncStore, type SyncRunOptions } from '../client/connect.js';
export { DEFAULT_WAIT_SECONDS, type LiveOptions } from '../client/live.js';
export { storeCheckpoints, checkpointKey, type Checkpoints, type CheckpointPair } from '../client/checkpoints.js';
export type { SyncReport, Decision, DecisionLog } from '../client/report.js';
