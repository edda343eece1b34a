import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import {
  HttpFramer,
  knownLength,
  methodOf,
  requestFraming,
  responseFraming,
  statusOf,
  type BodyFraming,
  type Frame,
  type MessageHead,
} from './http-framing.js';
import { seededRandom } from './random.js';

/**
 * A loopback TCP proxy between an HTTP client and a server that cuts connections where a test
 * asks, to show what a sync does when the network fails half-way:
 *
 * - `before-request`: the request never reaches the server (its head is withheld);
 * - `mid-upload`: the server gets the head and the first `afterBytes` bytes of the body, then the
 *   connection closes (default: half the body; always fewer bytes than the whole body; a
 *   request without a body stops one byte short of its head's end; a chunked body must be
 *   longer than `afterBytes`, its chunk framing counting as body bytes);
 * - `after-response-headers`: the server received the whole request and answered (it committed),
 *   but the client gets none of the answer: the connection closes as soon as the response's
 *   head reaches the proxy;
 * - `mid-download`: the client gets the response's head and the first `afterBytes` bytes of its
 *   body, then the connection closes (default: half the body; with an empty body the client
 *   gets the head only). Chunked bodies count their chunk framing as body bytes.
 *
 * Keep-alive connections work: the proxy follows HTTP/1.1 framing (head, Content-Length,
 * chunked, HEAD/1xx/204/304 without body) in both directions, so it knows which response
 * answers which request, pipelined ones included. A cut closes both sides of the connection
 * it happens on, and only that one. Bytes are never rewritten.
 */

export type FaultPoint = 'before-request' | 'mid-upload' | 'after-response-headers' | 'mid-download';

export const FAULT_POINTS: readonly FaultPoint[] = ['before-request', 'mid-upload', 'after-response-headers', 'mid-download'];

export interface FaultSpec {
  at: FaultPoint;
  /** mid-upload / mid-download: body bytes let through before the cut. */
  afterBytes?: number;
  /** Only a request whose head (request line and headers, as text) satisfies this one. */
  match?: (requestHead: string) => boolean;
}

export interface RandomFaults {
  seed: number;
  /** Chance that one request meets a fault, 0 to 1. */
  probability: number;
  /** The points to draw from (default: all four). */
  points?: readonly FaultPoint[];
  /** Only requests whose head satisfies this one may meet a fault. */
  match?: (requestHead: string) => boolean;
}

/** A fault that happened. */
export interface FaultEvent {
  at: FaultPoint;
  /** The request line of the request it hit, e.g. `PUT /items/transactions HTTP/1.1`. */
  request: string;
  /** mid-upload / mid-download: body bytes that went through before the cut. */
  bytesThrough?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`: the target's origin as seen through the proxy (no path). */
  readonly url: string;
  /** Faults that happened, oldest first. */
  readonly faults: readonly FaultEvent[];
  /** Requests seen (heads read from clients), faulted or not. */
  readonly requests: number;
  /** Connections to the target that were established (the target accepted, or will accept, each). */
  readonly upstreamConnections: number;
  /** Sockets of the proxy still open, both sides counted: 0 once every cut and closed connection is gone. */
  readonly openSockets: number;
  /** Queues a one-time fault for the next request it matches. Queued faults are tried in order. */
  failNext(fault: FaultSpec): void;
  /** Cuts requests at random points, reproducibly for a seed. `null` stops it. */
  randomFaults(options: RandomFaults | null): void;
  /** Drops queued faults and random faults: everything passes from now on. */
  clearFaults(): void;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

interface PendingResponse {
  method: string;
  request: string;
  fault: { at: 'after-response-headers' | 'mid-download'; afterBytes?: number } | null;
}

export async function startFaultProxy(targetUrl: string): Promise<FaultProxy> {
  const target = new URL(targetUrl);
  if (target.protocol !== 'http:') throw new Error(`the fault proxy speaks plain HTTP only, not ${target.protocol}`);
  const targetPort = Number(target.port || 80);
  const targetHost = target.hostname.replace(/^\[|\]$/g, '');

  const queued: FaultSpec[] = [];
  const faults: FaultEvent[] = [];
  let random: (RandomFaults & { next: () => number }) | null = null;
  let requests = 0;
  let upstreamConnections = 0;
  const sockets = new Set<Socket>();

  /** Chooses the fault of a request, if any: queued faults first, then the random draw. */
  function faultFor(head: MessageHead, framing: BodyFraming): FaultSpec | null {
    const index = queued.findIndex((f) => !f.match || f.match(head.text));
    if (index >= 0) return queued.splice(index, 1)[0]!;
    if (!random || (random.match && !random.match(head.text))) return null;
    // Always draw the same count per request, so one request's outcome does not shift the next.
    const [hit, which, where] = [random.next(), random.next(), random.next()];
    if (hit >= random.probability) return null;
    const points = random.points ?? FAULT_POINTS;
    const at = points[Math.floor(which * points.length)]!;
    const length = at === 'mid-upload' ? knownLength(framing) : null;
    return { at, afterBytes: length === null ? undefined : Math.floor(where * length) };
  }

  function handle(client: Socket): void {
    const upstream = connect({ host: targetHost, port: targetPort });
    upstream.once('connect', () => upstreamConnections++);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
      s.setNoDelay(true);
    }
    const pending: PendingResponse[] = [];
    let cut = false;

    /** Closes both sides. `flush` first delivers what was written to that socket. */
    const cutNow = (flush: Socket | null): void => {
      if (cut) return;
      cut = true;
      for (const s of [client, upstream]) {
        if (s === flush) {
          s.end();
          s.once('finish', () => s.destroy());
          setTimeout(() => s.destroy(), 2000).unref();
        } else s.destroy();
      }
    };

    // Client -> server.
    let upload: { through: number; limit: number; request: string } | null = null;
    const requestFramer = new HttpFramer(requestFraming);
    const onRequestFrame = (frame: Frame): void => {
      if (cut) return;
      switch (frame.kind) {
        case 'opaque':
          upstream.write(frame.bytes);
          return;
        case 'head': {
          requests++;
          const head = frame.head;
          const framing = requestFraming(head);
          const fault = faultFor(head, framing);
          const request = head.startLine;
          if (fault?.at === 'before-request') {
            faults.push({ at: 'before-request', request });
            cutNow(null);
            return;
          }
          const length = knownLength(framing);
          if (fault?.at === 'mid-upload' && length === 0) {
            // No body to cut into: the request stops one byte short of its head's end.
            upstream.write(head.raw.subarray(0, head.raw.length - 1));
            upload = { through: 0, limit: 0, request };
            endUpload();
            return;
          }
          upstream.write(head.raw);
          if (fault?.at === 'mid-upload') {
            const wanted = fault.afterBytes ?? (length === null ? 0 : Math.floor(length / 2));
            const limit = length === null ? wanted : Math.max(0, Math.min(wanted, length - 1));
            upload = { through: 0, limit, request };
            if (limit === 0) endUpload();
          }
          pending.push({
            method: methodOf(head),
            request,
            fault: fault && (fault.at === 'after-response-headers' || fault.at === 'mid-download') ? { at: fault.at, afterBytes: fault.afterBytes } : null,
          });
          return;
        }
        case 'body': {
          if (!upload) {
            upstream.write(frame.bytes);
            return;
          }
          const room = upload.limit - upload.through;
          const part = frame.bytes.subarray(0, room);
          if (part.length > 0) upstream.write(part);
          upload.through += part.length;
          if (upload.through >= upload.limit) endUpload();
          return;
        }
        case 'end':
          // A fault whose body fitted under its limit still cuts before the message completes.
          if (upload) endUpload();
          return;
      }
    };
    const endUpload = (): void => {
      if (!upload || cut) return;
      faults.push({ at: 'mid-upload', request: upload.request, bytesThrough: upload.through });
      upload = null;
      cutNow(upstream);
    };
    client.on('data', (chunk: Buffer) => {
      requestFramer.push(chunk, onRequestFrame);
    });

    // Server -> client.
    let download: { through: number; limit: number; request: string } | null = null;
    let answering: PendingResponse | null = null;
    const responseFramer = new HttpFramer((head) => responseFraming(head, answering?.method ?? 'GET'));
    const onResponseFrame = (frame: Frame): void => {
      if (cut) return;
      switch (frame.kind) {
        case 'opaque':
          client.write(frame.bytes);
          return;
        case 'head': {
          const status = statusOf(frame.head);
          // 1xx (but 101) precede the final response to the same request.
          const informational = status >= 100 && status < 200 && status !== 101;
          const answered = informational ? pending[0] : pending.shift();
          answering = answered ?? null;
          const fault = answered?.fault ?? null;
          if (informational || !fault) {
            client.write(frame.head.raw);
            return;
          }
          if (fault.at === 'after-response-headers') {
            faults.push({ at: 'after-response-headers', request: answered!.request });
            cutNow(null);
            return;
          }
          const length = knownLength(responseFraming(frame.head, answered!.method));
          const wanted = fault.afterBytes ?? (length === null ? 0 : Math.floor(length / 2));
          const limit = length === null ? wanted : Math.max(0, Math.min(wanted, length - 1));
          client.write(frame.head.raw);
          download = { through: 0, limit, request: answered!.request };
          if (limit === 0 || length === 0) endDownload();
          return;
        }
        case 'body': {
          if (!download) {
            client.write(frame.bytes);
            return;
          }
          const part = frame.bytes.subarray(0, download.limit - download.through);
          if (part.length > 0) client.write(part);
          download.through += part.length;
          if (download.through >= download.limit) endDownload();
          return;
        }
        case 'end':
          if (download) endDownload();
          return;
      }
    };
    const endDownload = (): void => {
      if (!download || cut) return;
      faults.push({ at: 'mid-download', request: download.request, bytesThrough: download.through });
      download = null;
      cutNow(client);
    };
    upstream.on('data', (chunk: Buffer) => {
      responseFramer.push(chunk, onResponseFrame);
    });

    // One side closing closes the other, after what was already written got through.
    client.on('end', () => upstream.end());
    upstream.on('end', () => {
      const rest = responseFramer.pending();
      if (!cut && rest.length > 0) client.write(rest);
      client.end();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => {
      if (client.writableLength === 0) client.destroy();
      else client.once('drain', () => client.destroy());
    });
  }

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    get requests() {
      return requests;
    },
    get upstreamConnections() {
      return upstreamConnections;
    },
    get openSockets() {
      return sockets.size;
    },
    failNext(fault) {
      queued.push(fault);
    },
    randomFaults(options) {
      random = options ? { ...options, next: seededRandom(options.seed) } : null;
    },
    clearFaults() {
      queued.length = 0;
      random = null;
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
