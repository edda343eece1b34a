import http from 'node:http';

/**
 * How many log reads a second the node answers: `concurrency` keep-alive connections each
 * sending GETs back to back for `seconds`. Plain node:http, so the load generator's own cost
 * (on the same machine) stays small. Non-200 answers are counted apart, never as served.
 */
export interface LoadFigures {
  name: string;
  requests: number;
  failed: number;
  perSecond: number;
}

export async function load(name: string, url: string, seconds: number, gzip: boolean, concurrency = 16): Promise<LoadFigures> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const until = performance.now() + seconds * 1000;
  let requests = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve, reject) => {
      http
        .get(url, { agent, headers: { accept: 'application/hal+json', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } }, (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) requests++;
            else failed++;
            resolve();
          });
        })
        .on('error', reject);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { name, requests, failed, perSecond: requests / elapsed };
}

/** The log's present end: the checkpoint of its last page, read with the largest pages. */
export async function headCursor(logUrl: string): Promise<string> {
  let next: string | undefined = `${logUrl}?limit=10000`;
  let checkpoint = '';
  for (let pages = 0; next && pages < 1000; pages++) {
    const doc = await getJson(next);
    checkpoint = doc.checkpoint as string;
    next = (doc._links as { next?: { href: string } }).next?.href;
  }
  return checkpoint;
}

function getJson(url: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { accept: 'application/hal+json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>));
      })
      .on('error', reject);
  });
}
