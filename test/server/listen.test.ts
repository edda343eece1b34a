import { expect } from 'chai';
import type { Server } from 'node:http';
import { createApp } from '../../lib/server/app.js';
import { listen } from '../../lib/server/listen.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { request } from '../support/http.js';

describe('listen', () => {
  it('serves the app at the URL it answers, under the configured root path', async () => {
    const node = await listen(createApp({ store: new MemoryStore(), paths: { root: '/api/' } }));
    try {
      expect(node.url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/api\/$/);
      const root = await request(node.url);
      expect(root.status).to.equal(200);
      expect(root.json._links.self.href).to.equal(node.url);
    } finally {
      await node.close();
    }
  });

  it('close() answers a held log GET at once and reports no unfinished jobs', async () => {
    const node = await listen(createApp({ store: new MemoryStore() }));
    const held = request(`${node.url}items/transactions`, { headers: { Prefer: 'wait=60' } });
    // Close once the request is on a connection: held or not yet read, it must answer its page now.
    const deadline = Date.now() + 5000;
    while ((await connections(node.server)) === 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const started = Date.now();
    const { unfinishedJobs } = await node.close();
    const reply = await held;
    expect(unfinishedJobs).to.equal(0);
    expect(reply.status).to.equal(200);
    expect(reply.json.count).to.equal(0);
    expect(Date.now() - started).to.be.below(5000);
  });

  it('rejects with one readable line when the port is taken', async () => {
    const first = await listen(createApp({ store: new MemoryStore() }));
    try {
      const port = Number(new URL(first.url).port);
      let error: unknown;
      await listen(createApp({ store: new MemoryStore() }), { port }).catch((e: unknown) => (error = e));
      expect(error).to.be.instanceOf(Error);
      expect((error as Error).message).to.equal(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await first.close();
    }
  });
});

function connections(server: Server): Promise<number> {
  return new Promise((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
}
