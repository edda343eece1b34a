import { gunzipSync } from 'node:zlib';
import type Koa from 'koa';
import type { Context, Next } from 'koa';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as formats from 'ajv-formats';
import { loadOpenApi } from '../../lib/server/resources/openapi.js';

/**
 * Contract tests: every response of every node the tests start (test/support/server.ts) is
 * checked against openapi/openapi.yaml — its status is documented for the operation, its
 * documented headers are present and well-formed, its media type is documented, and its body
 * matches the schema (ajv, draft 2020-12 with formats; the spec/ schemas allow no unknown
 * field). Violations are recorded here; test/support/hooks.ts fails the test that saw them.
 *
 * Only nodes on the default paths are checked: the document describes those.
 */

const addFormats = formats.default as unknown as (ajv: Ajv2020) => Ajv2020;
const BASE = 'urn:halsync:openapi';

export interface Violation {
  request: string;
  status: number;
  problems: string[];
}

const recorded: Violation[] = [];

/** The violations recorded since the last call, and forgets them. */
export function takeViolations(): Violation[] {
  return recorded.splice(0, recorded.length);
}

/** Puts the contract check first in the app's chain, so it sees each response as sent. */
export function installContractCheck(app: Koa): void {
  app.middleware.unshift(contractCheck);
}

async function contractCheck(ctx: Context, next: Next): Promise<void> {
  await next();
  const contract = await (shared ??= Contract.load());
  const problems = contract.check(ctx);
  if (problems.length > 0) recorded.push({ request: `${ctx.method} ${ctx.url}`, status: ctx.status, problems });
}

let shared: Promise<Contract> | undefined;

type Obj = Record<string, any>;

interface Route {
  template: string;
  pattern: RegExp;
  rank: number[];
  item: Obj;
}

class Contract {
  private readonly ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(
    private readonly doc: Obj,
    private readonly routes: Route[],
  ) {
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: BASE, $defs: localRefs(doc['components']['schemas']) });
  }

  static async load(): Promise<Contract> {
    const doc = (await loadOpenApi()) as Obj;
    const routes = Object.entries(doc['paths'] as Obj).map(([template, item]) => ({
      template,
      item: item as Obj,
      pattern: new RegExp('^' + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+') + '$'),
      // Literal segments win over variables, as OpenAPI (and the server's router) says.
      rank: template.split('/').map((segment) => (segment.includes('{') ? 1 : 0)),
    }));
    routes.sort((a, b) => compareRanks(a.rank, b.rank));
    return new Contract(doc, routes);
  }

  check(ctx: Context): string[] {
    const status = ctx.status;
    const route = this.routes.find((r) => r.pattern.test(ctx.path));
    if (!route)
      return status === 404 || status === 400 || status === 401 || status === 403 ? this.checkProblem(ctx) : [`no path of the document matches ${ctx.path}`];
    const method = ctx.method === 'HEAD' ? 'get' : ctx.method.toLowerCase();
    const operation = route.item[method] as Obj | undefined;
    if (!operation) return this.checkUnsupportedMethod(ctx, route);
    const responses = operation['responses'] as Obj;
    const response = this.resolve(responses[String(status)] ?? responses[`${Math.floor(status / 100)}XX`] ?? responses['default']);
    if (!response) return [`${status} is not documented for ${method.toUpperCase()} ${route.template}`];
    const where = `${method.toUpperCase()} ${route.template} ${status}`;
    // The HTML browser page: documented by `x-browser-page`, not among the typed answers (see the document's description).
    if (status === 200 && mediaType(ctx) === 'text/html' && operation['x-browser-page'] === true) return [];
    return [...this.checkHeaders(ctx, response, where), ...this.checkBody(ctx, response, where)];
  }

  private checkUnsupportedMethod(ctx: Context, route: Route): string[] {
    const where = `${ctx.method} ${route.template}`;
    const allow = ctx.response.get('Allow');
    // A CORS preflight (--cors) is answered with Access-Control-Allow-Methods instead.
    const preflight = ctx.response.get('Access-Control-Allow-Origin') !== '' && ctx.response.get('Access-Control-Allow-Methods') !== '';
    if (ctx.method === 'OPTIONS' && ctx.status === 204) return allow || preflight ? [] : [`${where} 204 has no Allow header`];
    if (ctx.status === 401 || ctx.status === 403 || ctx.status === 400) return this.checkProblem(ctx);
    if (ctx.status !== 405) return [`${where} is not an operation of the document, yet answered ${ctx.status} (not 405)`];
    return [...(allow ? [] : [`${where} 405 has no Allow header`]), ...this.checkProblem(ctx)];
  }

  /** An answer the document describes in general (404 off its paths, 405, 401): a problem document. */
  private checkProblem(ctx: Context): string[] {
    const type = mediaType(ctx);
    if (type !== 'application/problem+json') return [`${ctx.status} answered ${type || 'no content type'}, not application/problem+json`];
    return this.validate('#/components/schemas/Problem', { $ref: '#/components/schemas/Problem' }, wireJson(wireBody(ctx)), `${ctx.status} problem`);
  }

  private checkHeaders(ctx: Context, response: Obj, where: string): string[] {
    const problems: string[] = [];
    for (const [name, ref] of Object.entries((response['headers'] ?? {}) as Obj)) {
      const header = this.resolve(ref) as Obj;
      const value = ctx.response.get(name);
      if (!value) {
        if (requiredHere(header, mediaType(ctx))) problems.push(`${where}: header ${name} is missing`);
        continue;
      }
      problems.push(...this.validate(`${where} header ${name}`, header['schema'], value, `${where}: header ${name}`));
    }
    const vary = response['headers']?.['Vary'] && ctx.response.get('Vary');
    if (vary && !/(^|,)\s*accept\s*(,|$)/i.test(vary)) problems.push(`${where}: Vary does not name Accept: ${vary}`);
    return problems;
  }

  private checkBody(ctx: Context, response: Obj, where: string): string[] {
    const content = response['content'] as Obj | undefined;
    const empty = ctx.body === null || ctx.body === undefined || ctx.status === 204 || ctx.status === 304;
    if (!content) return empty ? [] : [`${where}: a body was sent, none is documented`];
    if (empty) return ctx.method === 'HEAD' ? [] : [`${where}: no body was sent`];
    const type = mediaType(ctx);
    const media = content[type] as Obj | undefined;
    if (!media) return [`${where}: media type ${type || '(none)'} is not documented (${Object.keys(content).join(', ')})`];
    if (ctx.method === 'HEAD') return [];
    const json = /^application\/(?:[\w.+-]+\+)?json$/.test(type);
    const raw = wireBody(ctx);
    const body = json ? wireJson(raw) : typeof raw === 'string' ? raw : String(raw);
    return this.validate(`${where} ${type}`, media['schema'], body, `${where} ${type}`);
  }

  private validate(key: string, schema: unknown, value: unknown, where: string): string[] {
    if (schema === undefined) return [];
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(localRefs(schema) as Obj);
      this.validators.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${where}: ${e.instancePath || '/'} ${e.message}${e.params['additionalProperty'] ? ` (${e.params['additionalProperty']})` : ''}`,
    );
  }

  /** Follows a `#/components/…` $ref of the document (responses and headers may be refs). */
  private resolve(value: Obj | undefined): Obj | undefined {
    let current = value;
    while (current && typeof current['$ref'] === 'string') {
      current = (current['$ref'] as string)
        .slice(2)
        .split('/')
        .reduce((node: Obj, key) => node?.[key.replace(/~1/g, '/').replace(/~0/g, '~')], this.doc);
    }
    return current;
  }
}

/**
 * `required`, or `x-required-with: [media types]`: a header sent with some representations
 * of a response and not others (an item's ETag comes with its HAL, not with the HTML page),
 * and with a body-less answer such as a 304.
 */
function requiredHere(header: Obj, type: string): boolean {
  const requiredWith = header['x-required-with'] as string[] | undefined;
  return header['required'] === true || (requiredWith !== undefined && (type === '' || requiredWith.includes(type)));
}

/** The document's schema refs, pointed at the ajv copy of its components. */
function localRefs(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${BASE}#/$defs/`));
}

/** The body as sent, decompressed when lib/server/http/compress.ts gzipped it: what a client reads. */
function wireBody(ctx: Context): unknown {
  return ctx.response.get('Content-Encoding') === 'gzip' && Buffer.isBuffer(ctx.body) ? gunzipSync(ctx.body).toString('utf8') : ctx.body;
}

/** The body as a client parses it off the wire. */
function wireJson(body: unknown): unknown {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  return body === undefined ? undefined : JSON.parse(JSON.stringify(body));
}

function mediaType(ctx: Context): string {
  return (ctx.response.get('Content-Type') || '').split(';')[0]!.trim().toLowerCase();
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
