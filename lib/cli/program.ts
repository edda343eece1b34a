import { readFileSync } from 'node:fs';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../protocol/duration.js';
import { DEFAULT_STORE_URL } from '../store/open.js';

/**
 * `halsync serve`, `sync` and `compact`: the command-line face of the library. Each command's
 * module is imported in its action, so `--help` and one command do not load the others
 * (Koa, ajv and the server routes are most of a start-up). Run by dist/lib/cli/index.js, and
 * by the `bin`, this module bundled with sync and compact by esbuild (`npm run build`,
 * scripts/bundle-cli.mjs): resolving and reading the two hundred files of got and commander
 * one by one was most of a sync's start-up.
 */
// dist/lib/cli/program.js → the package's own package.json, in a clone and in an installed package alike.
const PACKAGE_JSON = new URL('../../../package.json', import.meta.url);

// From dist/lib/cli/ and from the bundle in dist/lib/bin/ alike, by a path esbuild does not
// follow: the server reads files next to its modules (the OpenAPI document, the schemas,
// Swagger UI), so the bundled command loads it from dist/lib/cli/.
const SERVE_MODULE = new URL(['..', 'cli', 'serve.js'].join('/'), import.meta.url).href;

function integer(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    return n;
  };
}

function duration(value: string): number {
  try {
    return parseDuration(value);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The command line, afresh for each run (commander keeps what it parsed). */
function commandLine(version: string): Command {
  const program = new Command('halsync')
    .description('Two-way synchronization of resources over a hypermedia (HAL) REST API')
    .version(version)
    .showHelpAfterError('(see halsync --help)')
    // Usage errors come back here as a CommanderError, so `--json` can print them too (below).
    .exitOverride();

  program
    .command('serve')
    .description('publish collections, their transaction logs and items as HAL documents')
    .showHelpAfterError('(see halsync serve --help)')
    .option('--port <port>', 'TCP port', integer('port', 0, 65535), 3000)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--store <url>', 'memory:, sqlite:<path> or postgres://…', DEFAULT_STORE_URL)
    .option('--collection <name[=schema.json]>', 'a collection to publish (repeatable)', collect, [])
    .addOption(new Option('--token <token>', 'bearer token clients must send').env('HALSYNC_TOKEN'))
    .addOption(
      new Option('--read-token <token>', 'a read-only bearer token (repeatable; the env var takes a comma-separated list)')
        .env('HALSYNC_READ_TOKEN')
        .argParser(collect),
    )
    .option('--trust-proxy', 'build links from X-Forwarded-Host/-Proto', false)
    .option('--tombstone-retention <duration>', 'purge tombstones older than this, e.g. 30d (default: keep them)', duration)
    .option('--conflict-retention <duration>', 'purge conflict records decided longer ago than this, e.g. 90d (default: keep them)', duration)
    .option('--body-limit <bytes>', 'largest request body (default 10 MiB)', integer('body-limit', 1, 2 ** 31 - 1))
    .option('--max-entries <n>', 'most entries in one sync-log PUT (default 50000)', integer('max-entries', 1, 10_000_000))
    .option('--max-page-size <n>', 'largest limit of a log page (default 10000)', integer('max-page-size', 1, 10_000_000))
    .option('--request-timeout <ms>', 'time a request may take before it writes; 0: none (default 30000)', integer('request-timeout', 0, 86_400_000))
    .option('--max-active-jobs <n>', 'sync logs waiting as jobs at once (default 16)', integer('max-active-jobs', 1, 100_000))
    .option('--max-in-flight-body <bytes>', 'request body bytes all requests may hold at once (default 100 MiB)', integer('max-in-flight-body', 1, 2 ** 40))
    .option('--max-clock-skew <duration>', "refuse sync-log entries stamped later than this node's clock plus this (default 5m)", duration)
    .option('--cors <origin>', 'let pages of this origin call the node (repeatable; * for any)', collect, [])
    .option('--config <file>', 'a JSON file saying what these flags say (collections with schema and channels, principals, jwt, …); a flag overrides it')
    .option('--principals <file>', 'a JSON file mapping bearer tokens to principals: { "<token>": { "id", "grants" } }')
    .addOption(new Option('--jwt-secret <secret>', 'accept JWT bearers signed with this HS256 secret').env('HALSYNC_JWT_SECRET').conflicts('jwks'))
    .option('--jwks <url>', 'accept JWT bearers signed (RS256, ES256) by a key of this JSON Web Key Set')
    .option('--jwt-issuer <iss>', 'a JWT must name this issuer')
    .option('--jwt-audience <aud>', 'a JWT must name this audience')
    .action(async (options, command: Command) => {
      const { runServe } = (await import(SERVE_MODULE)) as typeof import('./serve.js');
      // What the command line said itself, so a --config file fills in only the rest.
      const given = (name: string) => ['cli', 'env'].includes(command.getOptionValueSource(name) ?? '');
      await runServe(options, given);
    });

  program
    .command('sync')
    .description('reconcile a local store with a remote node, or two remote nodes')
    .showHelpAfterError('(see halsync sync --help)')
    .argument('<urls...>', '<remote-root-url> or <root-url-A> <root-url-B>')
    .option('--store <url>', 'the local store (with one URL)', DEFAULT_STORE_URL)
    .option('--state <path>', 'checkpoint file (with two URLs)', './halsync-state.json')
    .option('--collection <name>', 'a collection to sync (repeatable; default: every one both sides publish)', collect, [])
    .addOption(
      new Option('--prefer <rule>', 'who wins in one skew bucket: the greater fingerprint, or a fixed side (safe only in one orientation)')
        .choices(['fingerprint', 'local', 'remote'])
        .default('fingerprint'),
    )
    .option('--skew-ms <ms>', 'the width of a skew bucket: updatedAt in one bucket are too close to call', integer('skew-ms', 0, 86_400_000), 1000)
    .addOption(new Option('--token <token>', 'bearer token sent to the remote (node↔node: to both)').env('HALSYNC_TOKEN'))
    .option('--token-a <token>', 'node↔node: the bearer token sent to A (instead of --token)')
    .option('--token-b <token>', 'node↔node: the bearer token sent to B (instead of --token)')
    .option('--json', 'print the report as one JSON object', false)
    .option('--live', 'keep both sides in step until SIGINT, one line per sync', false)
    .option('--wait <seconds>', 'with --live: how long each long poll waits', integer('wait', 1, 60))
    .action(async (urls: string[], options) => {
      const { runSync } = await import('./sync.js');
      process.exitCode = await runSync(urls, options);
    });

  program
    .command('compact')
    .description('purge tombstones (and, with --conflict-retention, conflict records) older than the retention from a store, once')
    .showHelpAfterError('(see halsync compact --help)')
    .option('--store <url>', 'memory:, sqlite:<path> or postgres://…', DEFAULT_STORE_URL)
    .addOption(new Option('--retention <duration>', 'purge tombstones recorded longer ago than this').argParser(duration).default(parseDuration('30d'), '30d'))
    .option('--collection <name>', 'a collection to compact (repeatable; default: every collection in the store)', collect, [])
    .option('--conflict-retention <duration>', 'also purge conflict records decided longer ago than this (default: keep them)', duration)
    .action(async (options) => {
      const { runCompact } = await import('./compact.js');
      process.exitCode = await runCompact(options);
    });

  return program;
}

/** Runs the command line `argv` (as `process.argv` holds it); its exit code is left in `process.exitCode`. */
export async function runCommand(argv: readonly string[]): Promise<void> {
  const { version } = JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string };
  try {
    await commandLine(version).parseAsync([...argv]);
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    // Commander has printed the one-line error (or the help, or the version) on stderr already.
    const usage = error.exitCode !== 0;
    if (usage && argv.includes('--json')) {
      console.log(JSON.stringify({ error: { type: 'usage', title: 'Invalid command line', detail: error.message.replace(/^error: /, '') } }));
    }
    process.exitCode = error.exitCode;
  }
}
