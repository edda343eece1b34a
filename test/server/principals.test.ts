import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { expectProblem } from '../support/expect.js';
import { request } from '../support/http.js';
import { startNode, type StartedNode } from '../support/server.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes!';
const grants = { items: { read: ['alice'], write: ['alice'] } };
const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const now = () => Math.floor(Date.now() / 1000);

function hs256(claims: Record<string, unknown> = {}, secret = SECRET) {
  // An `exp` given wins over the default five minutes.
  return new SignJWT({ halsync: grants, exp: now() + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('alice')
    .setIssuedAt()
    .sign(new TextEncoder().encode(secret));
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The principal the node took the token for, as its root and a write show it. */
async function sees(node: StartedNode, token: string): Promise<{ status: number; collections?: string[] }> {
  const reply = await request(node.url, { headers: bearer(token) });
  if (reply.status !== 200) return { status: reply.status };
  return { status: 200, collections: reply.json._links['sync:collection'].map((l: { name: string }) => l.name) };
}

describe('server: JWT bearers (HS256)', () => {
  let node: StartedNode;
  beforeEach(async () => {
    node = await startNode({
      jwt: { secret: SECRET, issuer: 'https://issuer.example', audience: 'halsync' },
      collections: [{ name: 'items', channels: '/owner' }, { name: 'other' }],
    });
  });
  afterEach(() => node.close());

  const good = (claims: Record<string, unknown> = {}) => hs256({ iss: 'https://issuer.example', aud: 'halsync', ...claims });

  it('takes sub as the principal and the halsync claim as its grants', async () => {
    expect(await sees(node, await good())).to.deep.equal({ status: 200, collections: ['items'] });
    const token = await good();
    const mine = await request(`${node.url}items`, { method: 'POST', headers: bearer(token), body: { data: { owner: 'alice' } } });
    expect(mine.status).to.equal(201);
    const theirs = await request(`${node.url}items`, { method: 'POST', headers: bearer(token), body: { data: { owner: 'bob' } } });
    expectProblem(theirs, 403, 'forbidden');
    expectProblem(await request(`${node.url}other`, { headers: bearer(token) }), 404, 'not-found');
  });

  it('refuses (401 invalid_token) an expired, a not-yet-valid, a wrongly signed or unsigned token, and a wrong issuer or audience', async () => {
    const refused: Array<[string, string]> = [
      ['expired', await good({ exp: now() - 60 })],
      ['not yet valid', await good({ nbf: now() + 600 })],
      ['wrong signature', await hs256({ iss: 'https://issuer.example', aud: 'halsync' }, 'another-secret-of-at-least-32-bytes!!')],
      [
        'alg: none',
        `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'alice', halsync: grants, iss: 'https://issuer.example', aud: 'halsync', exp: now() + 600 })}.`,
      ],
      ['wrong issuer', await good({ iss: 'https://elsewhere.example' })],
      ['wrong audience', await good({ aud: 'another-service' })],
      [
        'no sub',
        await new SignJWT({ halsync: grants, iss: 'https://issuer.example', aud: 'halsync' })
          .setProtectedHeader({ alg: 'HS256' })
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(SECRET)),
      ],
      ['malformed grants', await good({ halsync: { items: { read: 'alice' } } })],
      ['garbage', 'not.a.jwt'],
    ];
    for (const [what, token] of refused) {
      const reply = await request(node.url, { headers: bearer(token) });
      expect(reply.status, what).to.equal(401);
      expectProblem(reply, 401, 'unauthorized');
      expect(reply.headers['www-authenticate'], what).to.equal('Bearer realm="halsync", error="invalid_token"');
    }
    const none = await request(node.url);
    expect(none.headers['www-authenticate']).to.equal('Bearer realm="halsync"');
  });
});

describe('server: JWT bearers from a JWKS (RS256, ES256), with key rotation', () => {
  let jwks: { keys: JWK[] };
  let fetches = 0;
  let server: Server;
  let node: StartedNode;

  async function key(alg: 'RS256' | 'ES256', kid: string) {
    const pair = await generateKeyPair(alg);
    const jwk = { ...(await exportJWK(pair.publicKey)), kid, alg, use: 'sig' };
    const sign = (claims: Record<string, unknown> = {}) =>
      new SignJWT({ halsync: grants, ...claims }).setProtectedHeader({ alg, kid }).setSubject('alice').setExpirationTime('5m').sign(pair.privateKey);
    return { jwk, sign };
  }

  beforeEach(async () => {
    fetches = 0;
    server = createServer((_req, res) => {
      fetches++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
    node = await startNode({ jwt: { jwks: url, jwksCooldownMs: 0 } });
  });
  afterEach(async () => {
    await node.close();
    await new Promise((resolve) => server.close(resolve));
  });

  it('accepts RS256 and ES256 tokens of the set, refuses HS256 and keys it lacks', async () => {
    const rsa = await key('RS256', 'r1');
    const ec = await key('ES256', 'e1');
    const stranger = await key('ES256', 'e1');
    jwks = { keys: [rsa.jwk, ec.jwk] };
    expect((await sees(node, await rsa.sign())).status).to.equal(200);
    expect((await sees(node, await ec.sign())).status).to.equal(200);
    // Same kid, another key: the signature does not verify.
    expect((await sees(node, await stranger.sign())).status).to.equal(401);
    expect((await sees(node, await hs256())).status).to.equal(401);
  });

  it('after a rotation takes the new key\u2019s tokens once it fetched the set again, and refuses the old key\u2019s', async () => {
    const old = await key('ES256', 'old');
    const fresh = await key('ES256', 'new');
    jwks = { keys: [old.jwk] };
    expect((await sees(node, await old.sign())).status).to.equal(200);
    const before = fetches;
    // The issuer rotates: the set now holds only the new key.
    jwks = { keys: [fresh.jwk] };
    expect((await sees(node, await fresh.sign())).status).to.equal(200);
    expect(fetches, 'an unknown kid fetched the set again').to.be.above(before);
    expect((await sees(node, await old.sign())).status).to.equal(401);
  });
});
