import { BadRequest } from './problems.js';

/**
 * A cursor names a place in one node's log: the node's store id and a sequence number.
 * It is opaque on the wire (base64url) so clients pass it back rather than compute with it.
 * The store id makes a cursor from another database (a node rebuilt from scratch) detectable.
 */
export interface Cursor {
  storeId: string;
  seq: number;
  /**
   * A tag of the read grant the cursor was issued under (DESIGN §7), when it was issued to a
   * scoped reader; absent for an unscoped one. The server computes and compares it.
   */
  grant?: string;
}

// btoa/atob rather than Buffer: the client decodes cursors in browsers too. A cursor's text is ASCII.
export function encodeCursor(cursor: Cursor): string {
  const text = cursor.grant === undefined ? `${cursor.storeId}:${cursor.seq}` : `${cursor.storeId}:${cursor.seq}:${cursor.grant}`;
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): string | null {
  try {
    return atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return null;
  }
}

const CURSOR_TEXT = /^([0-9a-f-]{1,64}):(0|[1-9]\d{0,15})(?::([0-9a-f]{1,32}))?$/;

const CURSOR_TOKEN = /^[A-Za-z0-9_-]{1,200}$/;

/** Whether a checkpoint a node sent has the form of one (an opaque base64url token); a client checks no more. */
export function isCheckpoint(text: string): boolean {
  return CURSOR_TOKEN.test(text);
}

export function decodeCursor(text: string): Cursor {
  if (!CURSOR_TOKEN.test(text)) throw malformed(text);
  const match = CURSOR_TEXT.exec(fromBase64url(text) ?? '');
  if (!match) throw malformed(text);
  const seq = Number(match[2]);
  if (!Number.isSafeInteger(seq)) throw malformed(text);
  return match[3] === undefined ? { storeId: match[1]!, seq } : { storeId: match[1]!, seq, grant: match[3] };
}

function malformed(text: string): BadRequest {
  const shown = text.length > 40 ? `${text.slice(0, 40)}…` : text;
  return new BadRequest(`"${shown}" is not a cursor of this log`, [{ pointer: '/cursor', detail: 'malformed cursor' }], 'malformed-cursor');
}
