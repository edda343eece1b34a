import { expect } from 'chai';
import { NotARoot } from '../../lib/client/errors.js';
import { HttpClient } from '../../lib/client/http.js';
import { readRoot } from '../../lib/client/root.js';
import { DEFAULT_PATHS, type Paths } from '../../lib/server/http/links.js';
import { startNode, type StartedNode } from '../support/server.js';
import { newId, put } from '../support/sync.js';

describe('client/root (readRoot)', () => {
  let node: StartedNode;
  let http: HttpClient;
  beforeEach(async () => {
    // Under /api/: the root found must come from the links, not from a guess at the origin's `/`.
    const paths = Object.fromEntries(Object.entries(DEFAULT_PATHS).map(([name, path]) => [name, `/api${path}`])) as unknown as Paths;
    node = await startNode({ paths });
    http = new HttpClient();
  });
  afterEach(async () => {
    http.close();
    await node.close();
  });

  async function refusal(url: string): Promise<NotARoot> {
    try {
      await readRoot(http, url);
    } catch (error) {
      expect(error).to.be.instanceOf(NotARoot);
      return error as NotARoot;
    }
    throw new Error(`${url} was taken for a root`);
  }

  it('reads a root, and refuses what is not one, naming what it is and where its root is (its links, not the origin)', async () => {
    expect((await readRoot(http, node.url)).has('sync:collection')).to.equal(true);
    const itemId = newId();
    await put(node.store, itemId, { x: 1 });
    const collection = await refusal(`${node.url}items`);
    expect([collection.what, collection.root]).to.deep.equal(['the collection "items"', node.url]);
    // An item and a log link to their collection, whose `up` is the root: one more GET.
    const item = await refusal(`${node.url}items/${itemId}`);
    expect([item.what, item.root]).to.deep.equal(['an item', node.url]);
    const log = await refusal(`${node.url}items/transactions`);
    expect([log.what, log.root]).to.deep.equal(['a transaction log', node.url]);
    const openapi = await refusal(`${node.url}openapi`);
    expect(openapi.what).to.equal('an OpenAPI document');
  });
});
