import { expect } from 'chai';
import Koa from 'koa';
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { ACCEPTED_CODINGS } from '../../../lib/server/http/body.js';
import { compress, COMPRESS_THRESHOLD } from '../../../lib/server/http/compress.js';
import { listen, type Listening } from '../../support/koa.js';

/** One answer's head and undecoded body bytes (node:http never decodes): exactly what went on the wire. */
function get(url: string, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ head: string; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const head = Object.entries(res.headers)
          .map(([k, v]) => `${k}: ${String(v)}`)
          .join('\n');
        resolve({ head, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('server/http/compress', () => {
  const big = { entries: Array.from({ length: 200 }, (_, i) => ({ i, text: 'the same words again' })) };
  let server: Listening;
  let serialized = 0;
  before(async () => {
    const app = new Koa();
    app.use(compress);
    app.use((ctx) => {
      if (ctx.path === '/big') {
        ctx.type = 'application/hal+json';
        ctx.body = big;
      } else if (ctx.path === '/small') ctx.body = { ok: true };
      else if (ctx.path === '/counted') {
        ctx.type = 'application/hal+json';
        ctx.body = { ...big, toJSON: () => (serialized++, big) };
      } else if (ctx.path === '/text') ctx.body = 'x'.repeat(COMPRESS_THRESHOLD * 2);
      else if (ctx.path === '/stream') ctx.body = Readable.from([Buffer.alloc(COMPRESS_THRESHOLD * 2, 'y')]);
      else if (ctx.path === '/coded') {
        ctx.set('Content-Encoding', 'br');
        ctx.body = 'z'.repeat(COMPRESS_THRESHOLD * 2);
      }
    });
    server = await listen(app);
  });
  after(() => server.close());

  it('gzips a large JSON body for a client that accepts gzip, keeping its type', async () => {
    const reply = await get(server.url, '/big', { 'Accept-Encoding': 'gzip, deflate' });
    expect(reply.head)
      .to.match(/content-encoding: gzip/i)
      .and.match(/content-type: application\/hal\+json/i)
      .and.match(/vary: accept-encoding/i);
    expect(JSON.parse(gunzipSync(reply.body).toString('utf8'))).to.deep.equal(big);
    expect(reply.body.length).to.be.lessThan(JSON.stringify(big).length / 4);
  });

  it('sends it as it is to a client that does not ask, or refuses gzip', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'identity' }, { 'Accept-Encoding': 'gzip;q=0, identity' }] as Array<Record<string, string>>) {
      const reply = await get(server.url, '/big', headers);
      expect(reply.head, JSON.stringify(headers)).to.not.match(/content-encoding/i);
      expect(JSON.parse(reply.body.toString('utf8'))).to.deep.equal(big);
    }
  });

  it('serializes a JSON body once, gzipped or not, keeping its type', async () => {
    for (const headers of [{}, { 'Accept-Encoding': 'gzip' }] as Array<Record<string, string>>) {
      serialized = 0;
      const reply = await get(server.url, '/counted', headers);
      expect(serialized, JSON.stringify(headers)).to.equal(1);
      expect(reply.head).to.match(/content-type: application\/hal\+json/i);
      const text = headers['Accept-Encoding'] ? gunzipSync(reply.body).toString('utf8') : reply.body.toString('utf8');
      expect(JSON.parse(text)).to.deep.equal(big);
      expect(reply.head).to.match(new RegExp(`content-length: ${reply.body.length}`, 'i'));
    }
  });

  it(`leaves bodies under ${COMPRESS_THRESHOLD} bytes, streams and already coded bodies alone, and gzips long text`, async () => {
    const gzip = { 'Accept-Encoding': 'gzip' };
    expect((await get(server.url, '/small', gzip)).head).to.not.match(/content-encoding/i);
    expect((await get(server.url, '/stream', gzip)).head).to.not.match(/content-encoding/i);
    expect((await get(server.url, '/coded', gzip)).head).to.match(/content-encoding: br/i);
    const text = await get(server.url, '/text', gzip);
    expect(text.head).to.match(/content-encoding: gzip/i);
    expect(gunzipSync(text.body).toString()).to.equal('x'.repeat(COMPRESS_THRESHOLD * 2));
  });

  it('advertises the request codings the node reads (RFC 7694), on every answer', async () => {
    const reply = await get(server.url, '/small');
    expect(reply.head).to.match(new RegExp(`accept-encoding: ${ACCEPTED_CODINGS}`, 'i'));
  });

  it('sends no body for HEAD', async () => {
    const reply = await get(server.url, '/big', { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(reply.head).to.not.match(/content-encoding/i);
    expect(reply.body.length).to.equal(0);
  });
});
