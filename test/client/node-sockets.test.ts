import { expect } from 'chai';
import http from 'node:http';
import type { Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { gzipUpload, NodeSockets, UNREACHABLE_CODES } from '../../lib/client/node-sockets.js';
import { listen, type Listening } from '../support/koa.js';

/** What the Node transports share (lib/client/node-sockets.ts): kept-alive agents and the bytes on their sockets. */
describe('client/node-sockets', () => {
  let server: Listening;
  before(async () => {
    server = await listen((req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(1000)));
  });
  after(() => server.close());

  const get = (sockets: NodeSockets, track: boolean) =>
    new Promise<Socket>((resolve, reject) => {
      const request = http.get(`${server.url}/`, { agent: sockets.agents.http }, (response) => {
        response.resume();
        response.on('end', () => resolve(request.socket as Socket));
      });
      if (track) request.on('socket', (socket: Socket) => sockets.track(socket));
      request.on('error', reject);
    });

  it('counts each kept-alive socket once, and keeps the bytes of sockets that closed', async () => {
    const sockets = new NodeSockets(2);
    const first = await get(sockets, true);
    const once = sockets.bytes;
    expect(once).to.be.above(1000);
    const second = await get(sockets, true);
    expect(second).to.equal(first);
    // The same socket again: its bytes grew by one more exchange, not counted twice over.
    expect(sockets.bytes).to.be.within(2 * once - 50, 2 * once + 50);
    const before = sockets.bytes;
    sockets.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(first.destroyed).to.equal(true);
    expect(sockets.bytes).to.equal(before);
  });

  it('counts nothing it was not given', async () => {
    const sockets = new NodeSockets(1);
    await get(sockets, false);
    expect(sockets.bytes).to.equal(0);
    sockets.close();
  });

  it('gzips an upload as one member, and names the codes of a host that is not there', async () => {
    const body = new TextEncoder().encode('{"a":"'.concat('b'.repeat(5000), '"}'));
    const zipped = await gzipUpload(body);
    expect(gunzipSync(zipped).equals(Buffer.from(body))).to.equal(true);
    expect(zipped.length).to.be.below(200);
    expect(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND'].every((code) => UNREACHABLE_CODES.has(code))).to.equal(true);
    expect(UNREACHABLE_CODES.has('ERR_INVALID_URL')).to.equal(false);
  });
});
