import { HttpError, NotARoot, Problem, Unreachable } from '../client/errors.js';

/**
 * What a failed command says: one line on stderr, and with `--json` the same as an object on
 * stdout, shaped like a problem document (RFC 9457) so a script reads one format for both
 * a node's errors and the command's.
 */
export interface CommandError {
  /** A short name of the kind of failure (`not-a-root`, `unreachable`, …), or the node's problem type. */
  type: string;
  title: string;
  /** The line printed on stderr. */
  detail: string;
  /** The URL the failure concerns, when there is one. */
  uri?: string;
  /** The HTTP status, when a node answered one. */
  status?: number;
  /** For `not-a-root`: where the root likely is. */
  root?: string;
}

/** Describes an error of `halsync sync`; `urls` are the URLs it was given (to name the one TLS failed on). */
export function describeError(error: unknown, urls: readonly string[] = []): CommandError {
  if (error instanceof NotARoot) {
    const detail = `${error.uri} is ${error.what}, not an API root (it has no sync:collection link); ${error.uri === error.root ? 'no root found at this origin' : `its root is ${error.root}`}`;
    return { type: 'not-a-root', title: 'Not an API root', detail, uri: error.uri, root: error.root };
  }
  if (error instanceof Unreachable) return { type: 'unreachable', title: 'Cannot reach the node', detail: error.message, uri: error.uri };
  const tls = plainHttpBehindHttps(error, urls);
  if (tls) {
    const detail = `${tls}: the TLS handshake failed (wrong version number): the node speaks plain HTTP; use ${tls.replace(/^https:/, 'http:')}`;
    return { type: 'tls-to-plain-http', title: 'TLS to a plain HTTP node', detail, uri: tls };
  }
  if (error instanceof HttpError) {
    const base = { uri: error.uri, status: error.status };
    const problem = error instanceof Problem ? { type: error.type, title: error.title } : { type: 'http-error', title: `HTTP ${error.status}` };
    if (error.status === 401) return { ...problem, ...base, detail: `${error.uri} refused the credentials (401): pass --token or set HALSYNC_TOKEN` };
    if (error.status === 403)
      return { ...problem, ...base, detail: `${error.uri} refused the write (403): the token is read-only; a sync that pushes needs a read-write token` };
    return { ...problem, ...base, detail: error.message };
  }
  const detail = error instanceof Error ? error.message : String(error);
  return { type: 'failed', title: 'The command failed', detail };
}

/** The https URL a request failed on with OpenSSL's "wrong version number": a plain HTTP answer to a ClientHello. */
function plainHttpBehindHttps(error: unknown, urls: readonly string[]): string | undefined {
  if (!(error instanceof Error) || (error as { code?: unknown }).code !== 'EPROTO' || !/wrong version number/i.test(error.message)) return undefined;
  const failed = (error as { options?: { url?: URL | string } }).options?.url;
  const https = urls.filter((url) => url.startsWith('https:'));
  return failed ? new URL(String(failed)).href : https[0];
}

/** Prints the error: one line on stderr, and with `json` the object on stdout; returns the exit code. */
export function reportError(command: string, error: CommandError, json: boolean): number {
  console.error(`halsync ${command}: ${error.detail}`);
  if (json) console.log(JSON.stringify({ error }));
  return 1;
}
