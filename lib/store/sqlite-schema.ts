import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';

/** The tables of SqliteStore (lib/store/sqlite.ts) and the steps that bring an older file up to them. */

/** Bumped with every change to the tables below; `migrate` brings an older file up from `PRAGMA user_version`. */
export const SCHEMA_VERSION = 3;

const SCHEMA = `
  CREATE TABLE node (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    store_id TEXT NOT NULL,
    seq INTEGER NOT NULL
  );
  CREATE TABLE items (
    collection TEXT NOT NULL,
    item_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    deleted INTEGER NOT NULL,
    data TEXT,
    seq INTEGER NOT NULL UNIQUE,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (collection, item_id)
  );
  CREATE INDEX items_log ON items (collection, seq);
  CREATE TABLE horizons (collection TEXT PRIMARY KEY, seq INTEGER NOT NULL);
  CREATE TABLE checkpoints (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** Version 2: the conflict audit. */
const CONFLICTS_SCHEMA = `
  CREATE TABLE conflicts (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    collection TEXT NOT NULL,
    conflict_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    record TEXT NOT NULL,
    restored_side TEXT,
    restored_at TEXT,
    UNIQUE (collection, conflict_id)
  );
  CREATE INDEX conflicts_page ON conflicts (collection, position);
`;

/**
 * Version 3: channels (lib/store/scopes.ts). Items written before have none. A membership's
 * primary key finds one item's place in a grant's channels; `memberships_log` pages one
 * channel's log in seq order; `memberships_left` finds the removals retention purges.
 */
const CHANNELS_SCHEMA = `
  ALTER TABLE items ADD COLUMN channels TEXT NOT NULL DEFAULT '[]';
  CREATE TABLE memberships (
    collection TEXT NOT NULL,
    channel TEXT NOT NULL,
    item_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    member INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (collection, channel, item_id)
  ) WITHOUT ROWID;
  CREATE INDEX memberships_log ON memberships (collection, channel, seq, member, recorded_at);
  CREATE INDEX memberships_left ON memberships (collection, recorded_at) WHERE member = 0;
`;

/** What brings a file from user_version i to i + 1, in order. */
const MIGRATIONS = [SCHEMA, CONFLICTS_SCHEMA, CHANNELS_SCHEMA];

/** Creates the tables in a new file, or adds what an older halsync's file lacks; refuses a file written by a newer halsync. */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`schema version ${version} is newer than this halsync understands (${SCHEMA_VERSION})`);
    if (version === SCHEMA_VERSION) return;
    for (const step of MIGRATIONS.slice(version)) db.exec(step);
    if (version === 0) db.prepare('INSERT INTO node (one, store_id, seq) VALUES (1, ?, 0)').run(randomUUID());
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
