import pg from 'pg';
import pRetry, { AbortError } from 'p-retry';
import type { Change } from './store.js';

/**
 * The NOTIFY channel every halsync store of a database shares; the payload names the schema
 * and the collection. One channel, so its name never outgrows PostgreSQL's 63 bytes.
 */
export const CHANNEL = 'halsync_changes';

/** A NOTIFY payload must stay under 8000 bytes: a change touching more channels is told without them (it wakes every watcher). */
const MAX_PAYLOAD = 7000;

/** The NOTIFY payload of a change: the schema, the collection, and (when they fit) the channels it touched. */
export function notification(schema: string, collection: string, change: Change): string {
  const told = JSON.stringify([schema, collection, change.channels]);
  return Buffer.byteLength(told) <= MAX_PAYLOAD ? told : JSON.stringify([schema, collection]);
}

/** The backoff of reconnecting a lost LISTEN connection: from this, doubling, up to the cap. */
const RECONNECT_FIRST_MS = 100;
const RECONNECT_MAX_MS = 5_000;

export interface PgListenerOptions {
  connectionString: string;
  /** Each notification on CHANNEL: the schema and collection it names, and the channels it touched when told. */
  onNotify(schema: string, collection: string, change: Change): void;
  /** Notifications may have been missed (the connection was lost, or is back): everyone should re-read. */
  onGap(): void;
  /** Whether anyone still wants notifications; a lost connection is reopened only while so. */
  wanted(): boolean;
}

/**
 * The one connection that LISTENs, as a small state machine:
 * - `idle`: no connection (none was asked for, or the last was lost while nobody watched);
 * - `connecting`: the first connect after idle, which `listen()` callers wait for and whose failure they see;
 * - `listening`: connected, LISTEN done;
 * - `reconnecting`: lost while watched; p-retry reopens it with backoff until it is back or nobody watches;
 * - `closed`: for good.
 */
type State =
  | { kind: 'idle' }
  | { kind: 'connecting'; ready: Promise<void> }
  | { kind: 'listening'; client: pg.Client }
  | { kind: 'reconnecting'; stop: AbortController; done: Promise<void> }
  | { kind: 'closed' };

export class PgListener {
  private state: State = { kind: 'idle' };

  constructor(private readonly options: PgListenerOptions) {}

  /** Resolves once listening; rejects when the connect of an idle listener fails (or it is closed). */
  listen(): Promise<void> {
    switch (this.state.kind) {
      case 'closed':
        return Promise.reject(new Error('the store is closed'));
      case 'listening':
        return Promise.resolve();
      case 'connecting':
        return this.state.ready;
      case 'reconnecting':
        // Already trying: the watcher is told (onGap) once it is back.
        return Promise.resolve();
      case 'idle': {
        const ready = this.connect().then(
          (client) => this.enter({ kind: 'listening', client }, client),
          (error: unknown) => {
            if (this.state.kind === 'connecting') this.state = { kind: 'idle' };
            throw error;
          },
        );
        this.state = { kind: 'connecting', ready };
        return ready;
      }
    }
  }

  async close(): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    if (state.kind === 'listening') await state.client.end().catch(() => {});
    if (state.kind === 'connecting') await state.ready.catch(() => {});
    if (state.kind === 'reconnecting') {
      state.stop.abort();
      await state.done;
    }
  }

  /** Takes the new state unless closed meanwhile, in which case the fresh client is ended. */
  private enter(next: State, client: pg.Client): void {
    if (this.state.kind === 'closed') {
      client.end().catch(() => {});
      return;
    }
    this.state = next;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.options.connectionString, connectionTimeoutMillis: 10_000 });
    client.on('notification', (message) => {
      const [schema, collection, channels] = JSON.parse(message.payload || '[]') as [string?, string?, string[]?];
      if (schema !== undefined && collection !== undefined) this.options.onNotify(schema, collection, channels ? { channels } : {});
    });
    client.on('error', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
      return client;
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    }
  }

  /** A lost connection may have missed notifications: tell everyone, and reopen it while anyone watches. */
  private lost(client: pg.Client): void {
    client.end().catch(() => {});
    if (this.state.kind !== 'listening' || this.state.client !== client) return;
    this.options.onGap();
    if (!this.options.wanted()) {
      this.state = { kind: 'idle' };
      return;
    }
    const stop = new AbortController();
    const done = this.reconnect(stop.signal);
    this.state = { kind: 'reconnecting', stop, done };
  }

  private async reconnect(signal: AbortSignal): Promise<void> {
    try {
      const client = await pRetry(
        async () => {
          if (!this.options.wanted()) throw new AbortError('nobody watches any more');
          return this.connect();
        },
        { retries: Number.POSITIVE_INFINITY, minTimeout: RECONNECT_FIRST_MS, maxTimeout: RECONNECT_MAX_MS, factor: 2, randomize: false, signal, unref: true },
      );
      if (signal.aborted) {
        await client.end().catch(() => {});
        return;
      }
      this.enter({ kind: 'listening', client }, client);
      // Writes between the loss and the LISTEN sent notifications nobody received.
      this.options.onGap();
    } catch {
      // Aborted: closed, or nobody watches; the next listen() starts afresh.
      if (this.state.kind === 'reconnecting') this.state = { kind: 'idle' };
    }
  }
}
