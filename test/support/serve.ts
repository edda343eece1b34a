import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The compiled `halsync` command. */
export const CLI = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

export interface ServeProcess {
  child: ChildProcess;
  /** The URL the node printed; rejects when it exits first. */
  started: Promise<string>;
  exited: Promise<{ code: number | null; stderr: string }>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `halsync serve …args` as a child process (a real process, as an operator would run it). */
export function serve(args: string[], options: { cwd?: string } = {}): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  const started = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const url = /http:\/\/\S+\//.exec(stdout)?.[0];
      if (url) resolve(url);
    });
    void exited.then(({ code }) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
  // Tests of failed starts wait on `exited` only.
  started.catch(() => undefined);
  return {
    child,
    started,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}

/** `halsync …args` run to its end, in `cwd`; never throws for a non-zero exit. */
export function halsync(args: string[], options: { cwd?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Async, so nodes in this process keep answering while the command runs.
    execFile(process.execPath, [CLI, ...args], { ...options, env: { ...process.env, HALSYNC_TOKEN: '' } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}
