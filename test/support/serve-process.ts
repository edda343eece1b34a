import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

/** `halsync serve` as a child process: what it printed, and how it ended. */
export interface ServeProcess {
  child: ChildProcess;
  /** The root URL the node printed; rejects when it exits first. */
  started: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything written to stderr so far. */
  stderr(): string;
}

export function serveProcess(args: string[], env: Record<string, string> = {}): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HALSYNC_TOKEN: '', HALSYNC_READ_TOKEN: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const url = /http:\/\/\S+\//.exec(stdout)?.[0];
      if (url) resolve(url);
    });
    void exited.then(({ code }) => reject(new Error(`halsync serve exited ${code}: ${stderr}`)));
  });
  // Tests of failed starts wait on `exited` only.
  started.catch(() => undefined);
  return { child, started, exited, stderr: () => stderr };
}

/** Writes bytes on a fresh connection and returns all the server sent until it closed (bounded by `timeoutMs`). */
export function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got: ${Buffer.concat(chunks).toString('latin1').slice(0, 200)}`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    socket.write(bytes);
  });
}
