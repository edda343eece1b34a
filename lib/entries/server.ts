/** `halsync/server`: a node (Koa app, listener, retention) and the stores it runs on. Node only. */
export { createApp, shutdownApp, DEFAULT_ASYNC_THRESHOLD, type AppOptions } from '../server/app.js';
export { listen, DEFAULT_JOB_WAIT_MS, type ListenOptions, type Listening } from '../server/listen.js';
export { DEFAULT_PATHS, type Paths } from '../server/http/links.js';
export { type CollectionConfig } from '../server/collections.js';
export { DEFAULT_BODY_LIMIT } from '../server/http/body.js';
export { purgeExpired, purgeExpiredConflicts } from '../server/retention.js';
export { parseDuration } from '../protocol/duration.js';
export { openStore, DEFAULT_STORE_URL } from '../store/open.js';
export { MemoryStore } from '../store/memory.js';
export type { Store } from '../store/store.js';
