/**
 * Just enough HTTP/1.1 framing (RFC 9112) to tell where each message of a byte stream starts
 * and ends: the head (start line and headers), then a body framed by Content-Length, by
 * chunked transfer coding, by the end of the connection, or absent. The fault proxy feeds it
 * raw bytes and forwards, holds back or cuts what it reports. It never rewrites a byte.
 */

/** How a message's body is delimited. */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'until-close' };

export interface MessageHead {
  /** The head as text (latin1), start line and headers, without the closing blank line. */
  text: string;
  /** The head's bytes on the wire, closing blank line included. */
  raw: Buffer;
  startLine: string;
  /** Header names in lower case; repeated headers joined with ", ". */
  headers: Map<string, string>;
}

/** A piece of a stream, as the framer cut it. */
export type Frame =
  | { kind: 'head'; head: MessageHead }
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'end' }
  /** The stream is not HTTP the framer understands (or a head too large): the rest passes as is. */
  | { kind: 'opaque'; bytes: Buffer };

const MAX_HEAD_BYTES = 1024 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n', 'latin1');

export function parseHead(raw: Buffer): MessageHead {
  const text = raw.subarray(0, raw.length - HEAD_END.length).toString('latin1');
  const [startLine = '', ...lines] = text.split('\r\n');
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { text, raw, startLine, headers };
}

/**
 * Splits one direction of a connection into heads, body pieces and message ends. `framingOf`
 * decides, from a head, how its body is delimited (requests and responses differ).
 */
export class HttpFramer {
  private buffer: Buffer = Buffer.alloc(0);
  private state: 'head' | 'body' | 'opaque' = 'head';
  private body: BodyReader | null = null;

  constructor(private readonly framingOf: (head: MessageHead) => BodyFraming) {}

  /**
   * Feeds bytes and reports the frames they complete, in order, one call each. A head is
   * reported before its framing is asked for, so the listener may update what `framingOf`
   * reads (which request a response answers).
   */
  push(chunk: Buffer, onFrame: (frame: Frame) => void): void {
    if (this.state === 'opaque') return onFrame({ kind: 'opaque', bytes: chunk });
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    for (let guard = 0; guard < 100_000 && this.buffer.length > 0; guard++) {
      if (this.state === 'opaque') {
        onFrame({ kind: 'opaque', bytes: this.buffer });
        this.buffer = Buffer.alloc(0);
        break;
      }
      if (this.state === 'head') {
        const end = this.buffer.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffer.length > MAX_HEAD_BYTES) this.state = 'opaque';
          else break;
          continue;
        }
        const head = parseHead(this.buffer.subarray(0, end + HEAD_END.length));
        this.buffer = this.buffer.subarray(end + HEAD_END.length);
        onFrame({ kind: 'head', head });
        const framing = this.framingOf(head);
        if (framing.kind === 'none' || (framing.kind === 'length' && framing.length === 0)) {
          onFrame({ kind: 'end' });
        } else {
          this.body = new BodyReader(framing);
          this.state = 'body';
        }
        continue;
      }
      const used = this.body!.consume(this.buffer);
      if (used.bytes > 0) onFrame({ kind: 'body', bytes: this.buffer.subarray(0, used.bytes) });
      this.buffer = this.buffer.subarray(used.bytes);
      if (used.malformed) this.state = 'opaque';
      else if (used.done) {
        onFrame({ kind: 'end' });
        this.body = null;
        this.state = 'head';
      } else break;
    }
  }

  /** The bytes received but not yet reported (a head still incomplete). */
  pending(): Buffer {
    return this.buffer;
  }
}

/** Counts a body's bytes off the wire, chunk framing included. */
class BodyReader {
  private remaining: number;
  /** chunked: what the reader expects next. */
  private chunkState: 'size' | 'data' | 'data-crlf' | 'trailers' = 'size';
  private line = '';

  constructor(private readonly framing: BodyFraming) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
  }

  consume(bytes: Buffer): { bytes: number; done: boolean; malformed?: boolean } {
    switch (this.framing.kind) {
      case 'none':
        return { bytes: 0, done: true };
      case 'until-close':
        return { bytes: bytes.length, done: false };
      case 'length': {
        const used = Math.min(this.remaining, bytes.length);
        this.remaining -= used;
        return { bytes: used, done: this.remaining === 0 };
      }
      case 'chunked':
        return this.consumeChunked(bytes);
    }
  }

  private consumeChunked(bytes: Buffer): { bytes: number; done: boolean; malformed?: boolean } {
    let i = 0;
    while (i < bytes.length) {
      if (this.chunkState === 'data') {
        const used = Math.min(this.remaining, bytes.length - i);
        i += used;
        this.remaining -= used;
        if (this.remaining === 0) this.chunkState = 'data-crlf';
        continue;
      }
      // Line-oriented states: size line, CRLF after data, trailer lines.
      const byte = bytes[i++]!;
      if (byte !== 0x0a) {
        this.line += String.fromCharCode(byte);
        if (this.line.length > 8192) return { bytes: i, done: false, malformed: true };
        continue;
      }
      const line = this.line.replace(/\r$/, '');
      this.line = '';
      if (this.chunkState === 'data-crlf') {
        if (line !== '') return { bytes: i, done: false, malformed: true };
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isSafeInteger(size) || size < 0) return { bytes: i, done: false, malformed: true };
        if (size === 0) this.chunkState = 'trailers';
        else {
          this.remaining = size;
          this.chunkState = 'data';
        }
      } else if (line === '') {
        return { bytes: i, done: true };
      }
    }
    return { bytes: i, done: false };
  }
}

/** How a request's body is delimited (RFC 9112 §6.3: a request without either has none). */
export function requestFraming(head: MessageHead): BodyFraming {
  const coding = head.headers.get('transfer-encoding');
  if (coding !== undefined) return /(^|,)\s*chunked\s*$/i.test(coding) ? { kind: 'chunked' } : { kind: 'until-close' };
  return lengthFraming(head) ?? { kind: 'none' };
}

/** How a response's body is delimited, given the method of the request it answers. */
export function responseFraming(head: MessageHead, requestMethod: string): BodyFraming {
  const status = statusOf(head);
  if (requestMethod === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) return { kind: 'none' };
  const coding = head.headers.get('transfer-encoding');
  if (coding !== undefined) return /(^|,)\s*chunked\s*$/i.test(coding) ? { kind: 'chunked' } : { kind: 'until-close' };
  return lengthFraming(head) ?? { kind: 'until-close' };
}

function lengthFraming(head: MessageHead): BodyFraming | null {
  const value = head.headers.get('content-length');
  if (value === undefined) return null;
  const length = Number(value.split(',')[0]!.trim());
  return Number.isSafeInteger(length) && length >= 0 ? { kind: 'length', length } : { kind: 'until-close' };
}

export function statusOf(head: MessageHead): number {
  return Number(/^HTTP\/\d\.\d (\d{3})/.exec(head.startLine)?.[1] ?? 0);
}

export function methodOf(head: MessageHead): string {
  return head.startLine.split(' ')[0] ?? '';
}

/** The body's length when the framing says it up front. */
export function knownLength(framing: BodyFraming): number | null {
  if (framing.kind === 'length') return framing.length;
  if (framing.kind === 'none') return 0;
  return null;
}
