import { expect } from 'chai';
import { readFile } from 'node:fs/promises';
import { syncRels } from '../../../lib/protocol/rels.js';
import { SPEC_DIR } from '../../../lib/protocol/schemas.js';
import { expectProblem } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { startNode, type StartedNode } from '../../support/server.js';

describe('server/resources/rels: the page behind each sync: relation', () => {
  let node: StartedNode;
  before(async () => {
    node = await startNode();
  });
  after(async () => node.close());

  it('serves spec/rels/<rel>.md as Markdown for every sync relation', async () => {
    for (const rel of syncRels) {
      const reply = await request(`${node.url}rels/${rel}`);
      expect(reply.status, rel).to.equal(200);
      expect(reply.headers['content-type']).to.equal('text/markdown; charset=utf-8');
      expect(reply.text).to.equal(await readFile(new URL(`rels/${rel}.md`, SPEC_DIR), 'utf8'));
    }
  });

  it('renders it as an escaped HTML page for a browser', async () => {
    const reply = await request(`${node.url}rels/item`, { headers: { Accept: 'text/html' } });
    expect(reply.headers['content-type']).to.equal('text/html; charset=utf-8');
    expect(reply.text)
      .to.match(/^<!doctype html>/)
      .and.include('<title>sync:item · halsync</title>');
    expect(reply.text).to.match(/<h1>/);
    expect(reply.text).to.not.match(/<script/i);
  });

  it('answers 404 for any other name, so no name reaches the file system', async () => {
    for (const name of ['nope', '..%2F..%2Fpackage.json', 'item.md']) expectProblem(await request(`${node.url}rels/${name}`), 404, 'not-found');
  });
});
