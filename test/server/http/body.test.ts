import { expect } from 'chai';
import { connect } from 'node:net';
import { expectProblem, pointers } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

const ID = '00000000-0000-4000-8000-000000000001';

describe('server: request bodies', () => {
  let node: StartedNode;
  let itemUrl: string;
  beforeEach(async () => {
    node = await startNode({ bodyLimit: 1024 });
    itemUrl = `${node.url}items/${ID}`;
  });
  afterEach(async () => node.close());

  async function expectNothingWritten(): Promise<void> {
    expect(await node.store.highWater()).to.equal(0);
  }

  it('accepts application/json, application/hal+json and other +json types', async () => {
    for (const type of ['application/json', 'application/hal+json; charset=utf-8', 'application/vnd.example+json']) {
      const reply = await request(itemUrl, { method: 'PUT', headers: { 'Content-Type': type }, body: { data: { type } } });
      expect(reply.status, type).to.be.oneOf([200, 201]);
    }
  });

  it('refuses any other content type with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1']) {
      expectProblem(await request(itemUrl, { method: 'PUT', headers: { 'Content-Type': type }, body: '{"data":{}}' }), 415, 'unsupported-media-type');
    }
    await expectNothingWritten();
  });

  /** A PUT of the item with no Content-Type header at all, as swagger-typescript-api sends a $ref'd requestBody. */
  function untyped(body: string): Promise<string> {
    return new Promise<string>((resolve) => {
      const socket = connect(Number(new URL(node.url).port), '127.0.0.1', () => {
        socket.end(`PUT /items/${ID} HTTP/1.1\r\nHost: x\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      });
      let text = '';
      socket.on('data', (d) => (text += d));
      socket.on('end', () => resolve(text));
    });
  }

  it('reads a body without Content-Type as JSON; one that is not JSON is a 400', async () => {
    expect(await untyped('data=1')).to.match(/^HTTP\/1\.1 400/);
    await expectNothingWritten();
    expect(await untyped('{"data":{"untyped":true}}')).to.match(/^HTTP\/1\.1 201/);
    const read = await request(itemUrl);
    expect(read.json.data).to.deep.equal({ untyped: true });
  });

  it('answers 413 when Content-Length is over the limit, before reading', async () => {
    const body = JSON.stringify({ data: { text: 'x'.repeat(2000) } });
    expectProblem(await request(itemUrl, { method: 'PUT', body }), 413, 'payload-too-large');
    await expectNothingWritten();
  });

  it('answers 413 when a chunked body grows over the limit while reading', async () => {
    const body = JSON.stringify({ data: { text: 'x'.repeat(2000) } });
    const reply = await request(itemUrl, { method: 'PUT', headers: { 'Transfer-Encoding': 'chunked' }, body });
    expectProblem(reply, 413);
    await expectNothingWritten();
  });

  it('answers 400 to malformed JSON or an empty body', async () => {
    expectProblem(await request(itemUrl, { method: 'PUT', body: '{"data": ' }), 400);
    expectProblem(await request(itemUrl, { method: 'PUT', body: '' }), 400);
    expectProblem(await request(itemUrl, { method: 'PUT', body: Buffer.from([0x7b, 0xff, 0x7d]) }), 400);
    await expectNothingWritten();
  });

  it('answers 422 to JSON nested deeper than 64 levels, and takes 64', async () => {
    await node.close();
    node = await startNode();
    itemUrl = `${node.url}items/${ID}`;
    const nest = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
    // { "data": … } is one level; data takes the rest.
    const deep = expectProblem(await request(itemUrl, { method: 'PUT', body: `{"data":{"x":${nest(64)}}}` }), 422, 'validation-failed');
    // The pointer names the first array past the limit (level 65), not "/" (the member named "").
    expect(pointers(deep)).to.deep.equal([`/data/x${'/0'.repeat(62)}`]);
    await expectNothingWritten();
    expect((await request(itemUrl, { method: 'PUT', body: `{"data":{"x":${nest(62)}}}` })).status).to.equal(201);
    const hostile = await request(itemUrl, { method: 'PUT', body: `{"data":{"x":${nest(100000)}}}` });
    expect(hostile.status).to.be.oneOf([400, 422]);
  });
});
