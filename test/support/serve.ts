import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The `halsync` command as the package's `bin` runs it: the bundle `npm run build` writes (scripts/bundle-cli.mjs). */
export const CLI = fileURLToPath(new URL('../../lib/bin/halsync.cjs', import.meta.url));

export interface CliOptions {
  /** The working directory (where `./halsync.db` lands). */
  cwd?: string;
  /** Added to the environment, after the tokens are cleared. */
  env?: Record<string, string>;
  /** The script to run instead of the bin, e.g. the unbundled dist/lib/cli/index.js. */
  script?: string;
}

/** The test runner's environment without its tokens: a command gets one only when a test gives it. */
function environment(env: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, HALSYNC_TOKEN: '', HALSYNC_READ_TOKEN: '', ...env };
}

/** `halsync serve` as a child process: what it printed, and how it ended. */
export interface ServeProcess {
  child: ChildProcess;
  /** The root URL the node printed; rejects when it exits first. */
  started: Promise<string>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** SIGTERM (unless it has already ended), then the exit code. */
  stop(): Promise<number | null>;
}

/** `halsync serve …args` as a child process (a real process, as an operator would run it). */
export function serve(args: string[], options: CliOptions = {}): ServeProcess {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: environment(options.env),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
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
  return {
    child,
    started,
    exited,
    stderr: () => stderr,
    stdout: () => stdout,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return (await exited).code;
    },
  };
}

/** `halsync …args` run to its end; never throws for a non-zero exit. */
export function halsync(args: string[], options: CliOptions = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // Async, so nodes in this process keep answering while the command runs.
    execFile(
      process.execPath,
      [options.script ?? CLI, ...args],
      { ...(options.cwd ? { cwd: options.cwd } : {}), env: environment(options.env) },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}
