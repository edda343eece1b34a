import { expect } from 'chai';
import { expectValid } from '../../support/expect.js';
import { request } from '../../support/http.js';
import { auditedConflict, startNode, type StartedNode } from '../../support/server.js';

const FORMS = { Accept: 'application/prs.hal-forms+json' };
const ADMIN = 'admin-token-0123';
const READ = 'read-token-4567';

describe('server: HAL-FORMS templates (DESIGN §2)', () => {
  let node: StartedNode;
  afterEach(async () => node?.close());

  async function created(): Promise<string> {
    const reply = await request(`${node.url}items`, { method: 'POST', headers: { Authorization: `Bearer ${ADMIN}` }, body: { data: { title: 't' } } });
    expect(reply.status).to.equal(201);
    return reply.headers.location!;
  }

  it('gives an item default (PUT) and delete (DELETE), a collection default (POST), only when Accept names HAL-FORMS', async () => {
    node = await startNode({ collections: [{ name: 'items', schema: { type: 'object', required: ['title'], properties: { title: { type: 'string' } } } }] });
    const item = (await request(`${node.url}items`, { method: 'POST', body: { data: { title: 't' } } })).headers.location!;

    const forms = await request(item, { headers: FORMS });
    expect(forms.status).to.equal(200);
    expect(forms.headers['content-type']).to.match(/^application\/prs\.hal-forms\+json/);
    expectValid('item', forms.json);
    expect(forms.json._templates.default).to.deep.include({ method: 'PUT', target: item, contentType: 'application/json' });
    expect(forms.json._templates.default.properties).to.have.length(1);
    expect(forms.json._templates.default.properties[0]).to.include({ name: 'data', required: true, type: 'textarea' });
    expect(forms.json._templates.default.properties[0].prompt).to.contain(`${node.url}schemas/items`);
    expect(forms.json._templates.delete).to.deep.equal({ title: 'Delete', method: 'DELETE', target: item, properties: [] });

    const collection = await request(`${node.url}items`, { headers: FORMS });
    expectValid('collection', collection.json);
    expect(Object.keys(collection.json._templates)).to.deep.equal(['default']);
    expect(collection.json._templates.default).to.include({ method: 'POST', target: `${node.url}items` });

    // Plain HAL clients, a wildcard included, see nothing new.
    for (const accept of ['application/hal+json', '*/*', 'application/prs.hal-forms+json;q=0']) {
      const plain = await request(item, { headers: { Accept: accept } });
      expect(plain.json._templates, accept).to.equal(undefined);
      expect(plain.headers['content-type'], accept).to.match(/^application\/hal\+json/);
    }
  });

  it('a submission of the default template is { data } to its target, with its method', async () => {
    node = await startNode();
    const collection = await request(`${node.url}items`, { headers: FORMS });
    const template = collection.json._templates.default;
    const reply = await request(template.target, {
      method: template.method,
      headers: { 'Content-Type': template.contentType },
      body: { data: { via: 'template' } },
    });
    expect(reply.status).to.equal(201);
    const edit = (await request(reply.headers.location!, { headers: FORMS })).json._templates;
    expect((await request(edit.default.target, { method: edit.default.method, body: { data: { via: 'edit' } } })).status).to.equal(200);
    expect((await request(edit.delete.target, { method: edit.delete.method })).status).to.equal(204);
  });

  it('lists only the writes the principal may make: the admin token all, a read token none', async () => {
    node = await startNode({ token: ADMIN, auth: [{ token: READ, scope: 'read' }] });
    const item = await created();
    const admin = await request(item, { headers: { ...FORMS, Authorization: `Bearer ${ADMIN}` } });
    expect(Object.keys(admin.json._templates)).to.deep.equal(['default', 'delete']);
    for (const url of [item, `${node.url}items`]) {
      const reader = await request(url, { headers: { ...FORMS, Authorization: `Bearer ${READ}` } });
      expect(reader.status).to.equal(200);
      expect(reader.json._templates, url).to.deep.equal({});
    }
  });

  it('gives a conflict record restore, POSTing to the losing side', async () => {
    node = await startNode();
    await auditedConflict(node.store, { title: 'kept' }, { title: 'lost' });
    const page = await request(`${node.url}items/conflicts`);
    const record = page.json._embedded['sync:conflict'][0];
    const forms = await request(record._links.self.href, { headers: FORMS });
    expect(forms.json._templates).to.deep.equal({
      restore: {
        title: 'Restore the remote version',
        method: 'POST',
        target: `${node.url}items/conflicts/${record.conflictId}/restore?side=remote`,
        properties: [],
      },
    });
    const restored = await request(forms.json._templates.restore.target, { method: 'POST' });
    expect(restored.status).to.equal(200);
    expect(restored.json.data).to.deep.equal({ title: 'lost' });
  });
});
