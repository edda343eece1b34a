import { expect } from 'chai';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { expectProblem } from '../support/expect.js';
import { request, type Reply } from '../support/http.js';
import { rawExchange, sendRaw } from '../support/raw-request.js';
import { requirePostgres, testSchema } from '../support/postgres.js';
import { serve, type ServeProcess } from '../support/serve.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId } from '../support/sync.js';

/** Hostile and heavy requests over real HTTP: times compared as times, one Host, bodies bounded in total. */
describe('server: hostile and heavy requests', function () {
  this.timeout(20_000);
  let node: StartedNode;
  afterEach(async () => node?.close());

  describe('earliest', () => {
    beforeEach(async () => {
      node = await startNode({ clock: () => new Date('2030-01-01T00:00:00.000Z') });
      expect((await request(`${node.url}items/${newId()}`, { method: 'PUT', body: { data: {} } })).status).to.equal(201);
    });
    const entries = async (earliest: string) => {
      const reply = await request(`${node.url}items/transactions?earliest=${encodeURIComponent(earliest)}`);
      expect(reply.status, reply.text).to.equal(200);
      return reply.json._embedded['sync:entry'].length;
    };

    it('is compared as a time: an offset past the wall clock is later, not earlier', async () => {
      expect(await entries('9999-12-31T23:59:59.999+14:00')).to.equal(0);
      expect(await entries('2030-01-01T01:00:00.000+01:00')).to.equal(1);
      expect(await entries('2030-01-01T00:00:00.000-00:01')).to.equal(0);
      expect(await entries('2029-12-31T23:59:00-00:01')).to.equal(1);
    });

    it('outside the years 0000-9999 in UTC is a 400 with its pointer', async () => {
      for (const earliest of ['9999-12-31T23:59:59.999-14:00', '0000-01-01T00:00:00.000+00:01']) {
        const reply = await request(`${node.url}items/transactions?earliest=${encodeURIComponent(earliest)}`);
        expect(expectProblem(reply, 400, 'malformed-query')['errors'][0].pointer, earliest).to.equal('/earliest');
      }
    });
  });

  it('a request with two Host header lines is a 400 problem (RFC 9112 §3.2)', async () => {
    node = await startNode();
    const { port } = new URL(node.url);
    const answer = await rawExchange(node.url, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nHost: evil.example\r\nConnection: close\r\n\r\n`);
    expect(answer).to.match(/^HTTP\/1\.1 400 /);
    expect(answer).to.match(/content-type: application\/problem\+json/i);
    const ok = await sendRaw(node.url, { method: 'GET', path: '/' }, 5000);
    expect(ok.reply?.status).to.equal(200);
  });

  describe('the in-flight body budget', () => {
    const BUDGET = 1024 * 1024;
    const body = (bytes: number) => Buffer.from(JSON.stringify({ data: { pad: 'x'.repeat(bytes - 20) } }));

    /** An upload that declares `length` bytes, sends a few, and holds until `finish()`. */
    function heldUpload(url: string, length: number) {
      const payload = body(length);
      let settle!: (reply: Reply) => void;
      const reply = new Promise<Reply>((resolve) => (settle = resolve));
      const req = httpRequest(
        url,
        { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': payload.length } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => settle({ status: res.statusCode!, headers: res.headers, text: Buffer.concat(chunks).toString(), json: undefined }));
        },
      );
      req.on('error', () => undefined);
      req.write(payload.subarray(0, 10));
      return { reply, finish: () => req.end(payload.subarray(10)) };
    }

    it('answers 503 overloaded with Retry-After before reading a body that would pass it, logs nothing, and takes it again once bodies are done', async () => {
      node = await startNode({ maxInFlightBodyBytes: BUDGET, bodyLimit: BUDGET });
      const held = heldUpload(`${node.url}items/${newId()}`, 700_000);
      const deadline = Date.now() + 5000;
      let refused: Reply | undefined;
      while (!refused && Date.now() < deadline) {
        const reply = await request(`${node.url}items/${newId()}`, { method: 'PUT', body: body(700_000) });
        if (reply.status === 503) refused = reply;
        else expect(reply.status).to.equal(201);
      }
      expect(refused, 'no 503 while a held upload took most of the budget').to.not.equal(undefined);
      expectProblem(refused!, 503, 'overloaded');
      expect(refused!.headers['retry-after']).to.match(/^\d+$/);
      // A small body still fits beside the held one.
      expect((await request(`${node.url}items/${newId()}`, { method: 'PUT', body: body(1000) })).status).to.equal(201);
      held.finish();
      expect((await held.reply).status).to.equal(201);
      expect((await request(`${node.url}items/${newId()}`, { method: 'PUT', body: body(700_000) })).status).to.equal(201);
    });

    it('counts a body without Content-Length as it arrives', async () => {
      node = await startNode({ maxInFlightBodyBytes: BUDGET, bodyLimit: BUDGET });
      const held = heldUpload(`${node.url}items/${newId()}`, 700_000);
      const deadline = Date.now() + 5000;
      let status = 0;
      while (status !== 503 && Date.now() < deadline) {
        const reply = await request(`${node.url}items/${newId()}`, { method: 'PUT', body: body(700_000), headers: { 'Transfer-Encoding': 'chunked' } });
        status = reply.status;
        if (status === 503) expectProblem(reply, 503, 'overloaded');
        else expect(status).to.equal(201);
      }
      expect(status).to.equal(503);
      held.finish();
      expect((await held.reply).status).to.equal(201);
    });
  });

  describe('`halsync serve` on PostgreSQL, refusing uploads while they are being sent', function () {
    const schema = testSchema('overload');
    let served: ServeProcess | undefined;
    let url = '';
    before(async function () {
      await requirePostgres(this, 'the refused-upload tests');
      // The smallest budget the default body limit allows: one held upload of 9 MB fills it.
      served = serve(['--store', schema.url, '--port', '0', '--max-in-flight-body', String(10 * 1024 * 1024)]);
      url = await served.started;
    });
    after(async () => {
      await served?.stop();
      if (served) await schema.drop();
    });

    /**
     * A PUT of `bytes` (declared as `length`), written in pieces until the node answers, as a
     * client sends a large body: the status and Retry-After it got, or the error instead of one.
     */
    function upload(bytes: number, length = bytes): Promise<string> {
      const piece = Buffer.alloc(64 * 1024, 0x20);
      piece.write('{"data":{}}');
      return new Promise((resolve) => {
        let answered = false;
        const req = httpRequest(
          `${url}items/${newId()}`,
          { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': length } },
          (res) => {
            answered = true;
            res.resume();
            res.on('end', () => {
              req.destroy();
              resolve(`${res.statusCode} Retry-After: ${res.headers['retry-after'] ?? '-'}`);
            });
          },
        );
        req.on('error', (error: NodeJS.ErrnoException) => answered || resolve(error.code ?? error.message));
        void (async () => {
          for (let sent = 0; sent < bytes && !answered && !req.destroyed; sent += piece.length) {
            if (!req.write(piece)) await once(req, 'drain').catch(() => undefined);
          }
        })();
      });
    }

    it('answers each of 20 concurrent uploads over the budget with its 503 and Retry-After, and each over the body limit with its 413, none reset mid-send', async () => {
      // Declares 9 MB and sends a little: the budget stays taken until it is cut.
      const held = httpRequest(`${url}items/${newId()}`, {
        method: 'PUT',
        agent: false,
        headers: { 'Content-Type': 'application/json', 'Content-Length': 9_000_000 },
      });
      held.on('error', () => undefined);
      held.write('{"data":');
      // Until the node has taken the held upload's share, an upload may still be read (and then stall).
      const deadline = Date.now() + 5000;
      const probe = Buffer.from(JSON.stringify({ data: { pad: 'x'.repeat(2_000_000) } }));
      while ((await request(`${url}items/${newId()}`, { method: 'PUT', body: probe })).status !== 503 && Date.now() < deadline);
      try {
        const overloaded = await Promise.all(Array.from({ length: 20 }, () => upload(9_000_000)));
        expect(overloaded.filter((a) => a !== '503 Retry-After: 1')).to.deep.equal([]);
        const tooLarge = await Promise.all(Array.from({ length: 20 }, () => upload(16_000_000, 20_000_000)));
        expect(tooLarge.filter((a) => !a.startsWith('413 '))).to.deep.equal([]);
      } finally {
        held.destroy();
      }
      // An overload answer is no error of the node: nothing logged.
      expect(served!.stderr()).to.equal('');
      expect((await request(url)).status).to.equal(200);
    });
  });
});
