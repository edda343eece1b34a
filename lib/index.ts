/**
 * halsync's public API, for Node: what is not exported here is private. Everything the entry
 * points give (`halsync/client`, `halsync/idb`, `halsync/server`), and what only Node programs use
 * besides: the got transport, node↔node syncs with their state file, the problem types a node
 * answers with, and who a request speaks for.
 */
export * from './entries/client.js';
export * from './entries/idb.js';
export * from './entries/server.js';

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
export { problemFactory } from './client/errors.js';
export { GotTransport } from './client/transport-got.js';
export { syncNodes, type NodeSyncOptions } from './client/connect.js';
export { fileCheckpoints } from './client/state-file.js';
// Scopes (DESIGN §7): who a request speaks for, for createApp({ authenticate }).
export { type Principal, type Grant } from './server/principal.js';
export { type Authenticate, type AccessToken } from './server/http/auth.js';
export { type JwtOptions, type PrincipalEntry } from './server/principals.js';
