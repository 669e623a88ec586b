import crypto from 'node:crypto';
import { expect } from 'chai';
import type { LtijsPlatform } from 'ltijs';
import request from 'supertest';
import { PostgresLtijsStorage } from '../../src/lti/storage';
import { harness, startPlatform } from '../helpers/harness';

const uid = () => crypto.randomUUID();
type Doc = Record<string, unknown>;

/** The storage plugin, the ltijs Provider and the database of the running Accrue instance. */
function world() {
  const { accrue } = harness();
  const { core } = accrue.accrue.lti;
  return { db: accrue.accrue.db, storage: core.storage, provider: core.provider, encKey: core.encryptionKey };
}

async function rawRows(collection: string, query: Doc) {
  const { db } = world();
  const res = await db.query<{ id: string; doc: Doc; created_at: Date; expires_at: Date | null; ttl: number | null }>(
    `SELECT id, doc, created_at, expires_at, EXTRACT(EPOCH FROM expires_at - created_at)::float AS ttl
       FROM ltijs_document WHERE collection = $1 AND doc @> $2::jsonb ORDER BY id`, [collection, JSON.stringify(query)]);
  return res.rows;
}

async function expireNow(collection: string, query: Doc) {
  await world().db.query(
    "UPDATE ltijs_document SET expires_at = now() - interval '1 second' WHERE collection = $1 AND doc @> $2::jsonb", [collection, JSON.stringify(query)]);
}

/** Postgres unique_violation: the database, not the plugin's code, refused the duplicate. */
async function expectUniqueViolation(p: Promise<unknown>) {
  let error: unknown;
  try {
    await p;
  } catch (err) {
    error = err;
  }
  expect(error, 'expected the insert to be refused').to.be.an('error');
  expect((error as { code?: string }).code).to.equal('23505');
}

const platformDoc = (over: Doc = {}): Doc => ({
  platformName: 'Storage LMS', platformUrl: `https://lms-${uid()}.example.edu`, clientId: `client-${uid()}`, kid: uid().replace(/-/g, ''),
  authEndpoint: 'https://lms.example.edu/auth', accesstokenEndpoint: 'https://lms.example.edu/token',
  authConfig: { method: 'JWK_SET', key: 'https://lms.example.edu/jwks' }, ...over,
});

describe('ltijs storage plugin on PostgreSQL (src/lti/storage.ts)', function () {
  this.timeout(60_000);

  describe('plain collections', () => {
    it('when a document is inserted, then Get finds it by any subset of its fields, with createdAt in milliseconds', async () => {
      const { storage } = world();
      const doc = platformDoc();
      const before = Date.now();
      expect(await storage.Insert(false, 'platform', doc)).to.equal(true);
      const found = await storage.Get(false, 'platform', { platformUrl: doc.platformUrl });
      expect(found).to.have.length(1);
      const { createdAt, ...rest } = (found as Doc[])[0]!;
      expect(rest).to.deep.equal(doc);
      expect(createdAt).to.be.a('number').within(before - 5000, Date.now() + 5000);
      expect(await storage.Get(false, 'platform', { platformUrl: doc.platformUrl, authConfig: { method: 'JWK_SET' } })).to.have.length(1);
      expect(await storage.Get(false, 'platform', { platformUrl: doc.platformUrl, clientId: 'someone-else' })).to.equal(false);
    });

    it('when a document is modified, replaced and deleted, then each read sees exactly that change', async () => {
      const { storage } = world();
      const doc = platformDoc();
      const key = { platformUrl: doc.platformUrl, clientId: doc.clientId };
      await storage.Insert(false, 'platform', doc);

      await storage.Modify(false, 'platform', key, { platformName: 'Renamed LMS' });
      const modified = ((await storage.Get(false, 'platform', key)) as Doc[])[0]!;
      expect(modified).to.include({ platformName: 'Renamed LMS', kid: doc.kid, authEndpoint: doc.authEndpoint });

      const replacement = { ...key, platformName: 'Replaced LMS', kid: doc.kid };
      await storage.Replace(false, 'platform', key, replacement);
      const replaced = (await storage.Get(false, 'platform', key)) as Doc[];
      expect(replaced).to.have.length(1);
      const { createdAt: _c, ...rest } = replaced[0]!;
      expect(rest, 'Replace swaps the whole document').to.deep.equal(replacement);

      await storage.Delete('platform', key);
      expect(await storage.Get(false, 'platform', key)).to.equal(false);
    });

    it('when Replace finds nothing to replace, then it inserts (an upsert)', async () => {
      const { storage } = world();
      const id = uid();
      await storage.Replace(false, 'platformStatus', { id }, { id, active: false });
      await storage.Replace(false, 'platformStatus', { id }, { id, active: true });
      const rows = (await storage.Get(false, 'platformStatus', { id })) as Doc[];
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ id, active: true });
    });
  });

  describe('encrypted collections', () => {
    it('when an encrypted document is stored, then the table holds only its index fields in clear and Get decrypts it', async () => {
      const { storage, encKey } = world();
      const kid = uid();
      const secretPem = `-----BEGIN RSA PRIVATE KEY-----${uid()}-----END RSA PRIVATE KEY-----`;
      await storage.Insert(encKey, 'privatekey', { key: secretPem, kid }, { kid });

      const [row] = await rawRows('privatekey', { kid });
      expect(Object.keys(row!.doc)).to.have.members(['kid', 'iv', 'data', 'tag']);
      expect(JSON.stringify(row!.doc)).to.not.contain(secretPem).and.not.contain('PRIVATE KEY');

      const found = (await storage.Get(encKey, 'privatekey', { kid })) as Doc[];
      expect(found).to.have.length(1);
      expect(found[0]).to.include({ key: secretPem, kid });
      expect(found[0]!.createdAt).to.be.a('number');
    });

    it('when the table is read with another secret, then decryption fails instead of yielding data', async () => {
      const { storage, encKey, db } = world();
      const kid = uid();
      await storage.Insert(encKey, 'privatekey', { key: 'pem', kid }, { kid });
      const stranger = new PostgresLtijsStorage(db, crypto.randomBytes(32).toString('hex'));
      let error: unknown;
      try {
        await stranger.Get('another-key', 'privatekey', { kid });
      } catch (err) {
        error = err;
      }
      expect(error).to.be.an('error');
    });

    it('when one tool key was written under another secret, then /lti/keys leaves it out and still publishes every other key', async () => {
      const { db } = world();
      const { accrue, lms } = harness();
      const kid = uid().replace(/-/g, '');
      const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
      const stranger = new PostgresLtijsStorage(db, crypto.randomBytes(32).toString('hex'));
      await stranger.Insert('another-key', 'publickey', { key: publicKey, kid }, { kid, platformUrl: `https://lms-${uid()}.example.edu`, clientId: uid() });
      try {
        const res = await request(accrue.url).get('/lti/keys');
        expect(res.status).to.equal(200);
        const kids = (res.body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
        expect(kids).to.include(lms.id);
        expect(kids).to.not.include(kid);
      } finally {
        await stranger.Delete('publickey', { kid });
      }
    });

    it('when one field of an encrypted document is modified, then it is re-encrypted with a fresh IV and the other fields are kept', async () => {
      const { storage, encKey } = world();
      const index = { platformUrl: `https://lms-${uid()}.example.edu`, clientId: uid(), scopes: 'https://purl.imsglobal.org/spec/lti-ags/scope/score' };
      await storage.Insert(encKey, 'accesstoken', { token: { access_token: 'first-token', expires_in: 3600 }, note: 'kept' }, index);
      const [before] = await rawRows('accesstoken', index);

      await storage.Modify(encKey, 'accesstoken', index, { token: { access_token: 'second-token', expires_in: 3600 } });
      const [after] = await rawRows('accesstoken', index);
      expect(after!.id).to.equal(before!.id);
      expect(after!.doc.iv).to.not.equal(before!.doc.iv);
      expect(after!.doc.data).to.not.equal(before!.doc.data);
      expect(JSON.stringify(after!.doc)).to.not.contain('second-token');
      expect(after!.doc).to.include(index);
      const found = ((await storage.Get(encKey, 'accesstoken', index)) as Doc[])[0]!;
      expect(found.token).to.deep.equal({ access_token: 'second-token', expires_in: 3600 });
      expect(found.note).to.equal('kept');
    });
  });

  describe('unique keys, enforced by the database', () => {
    it('when a second platform with the same issuer and client id is inserted, then the database refuses it', async () => {
      const { storage } = world();
      const doc = platformDoc();
      await storage.Insert(false, 'platform', doc);
      await expectUniqueViolation(storage.Insert(false, 'platform', { ...doc, kid: uid(), platformName: 'Twin' }));
      expect(await storage.Get(false, 'platform', { platformUrl: doc.platformUrl })).to.have.length(1);
      // Same issuer with another client id is another registration (Canvas cloud shares one issuer).
      await storage.Insert(false, 'platform', { ...doc, kid: uid(), clientId: `client-${uid()}` });
      expect(await storage.Get(false, 'platform', { platformUrl: doc.platformUrl })).to.have.length(2);
    });

    it('when a nonce is inserted twice, then the second insert is refused', async () => {
      const { storage } = world();
      const nonce = uid();
      await storage.Insert(false, 'nonce', { nonce });
      await expectUniqueViolation(storage.Insert(false, 'nonce', { nonce }));
      expect(await storage.Get(false, 'nonce', { nonce })).to.have.length(1);
    });
  });

  describe('expiry', () => {
    it('when a row gets its lifetime, then it is the collection\'s TTL (nonce 10 s, state 600 s) and platforms never expire', async () => {
      const { storage } = world();
      const nonce = uid();
      const state = uid();
      await storage.Insert(false, 'nonce', { nonce });
      await storage.Insert(false, 'state', { state, query: {} });
      const doc = platformDoc();
      await storage.Insert(false, 'platform', doc);
      expect((await rawRows('nonce', { nonce }))[0]!.ttl).to.be.closeTo(10, 0.5);
      expect((await rawRows('state', { state }))[0]!.ttl).to.be.closeTo(600, 0.5);
      expect((await rawRows('platform', { kid: doc.kid }))[0]!.expires_at).to.equal(null);
    });

    it('when a nonce is older than its TTL, then Get no longer returns it, the same nonce can be inserted again, and the sweep deletes it', async () => {
      const { storage } = world();
      const nonce = uid();
      await storage.Insert(false, 'nonce', { nonce });
      await expireNow('nonce', { nonce });
      expect(await storage.Get(false, 'nonce', { nonce })).to.equal(false);
      await storage.Insert(false, 'nonce', { nonce });
      expect(await storage.Get(false, 'nonce', { nonce })).to.have.length(1);
      expect(await rawRows('nonce', { nonce }), 'the expired row made way for the new one').to.have.length(1);

      await expireNow('nonce', { nonce });
      expect(await storage.sweep()).to.be.at.least(1);
      expect(await rawRows('nonce', { nonce })).to.have.length(0);
    });

    it('when an expired row matches a Modify, then it is left alone', async () => {
      const { storage } = world();
      const state = uid();
      await storage.Insert(false, 'state', { state, query: { a: 1 } });
      await expireNow('state', { state });
      await storage.Modify(false, 'state', { state }, { query: { a: 2 } });
      expect((await rawRows('state', { state }))[0]!.doc.query).to.deep.equal({ a: 1 });
    });
  });

  describe('through ltijs itself', () => {
    it('when ltijs registers a platform, then getPlatform returns it with its authorizationServer (which ltijs-sequelize drops) and its keys', async () => {
      const { provider } = world();
      const url = `https://lms-${uid()}.example.edu`;
      const clientId = `client-${uid()}`;
      const authorizationServer = `${url}/oauth2/audience`;
      const created = await provider.registerPlatform({
        url, clientId, name: 'Round-trip LMS', authenticationEndpoint: `${url}/auth`, accesstokenEndpoint: `${url}/token`,
        authorizationServer, authConfig: { method: 'JWK_SET', key: `${url}/jwks` },
      });
      const id = await created.platformId();
      try {
        const found = (await provider.getPlatform(url, clientId)) as LtijsPlatform;
        expect(found).to.not.equal(false);
        expect(await found.platformAuthorizationServer()).to.equal(authorizationServer);
        expect(await found.platformAccessTokenEndpoint()).to.equal(`${url}/token`);
        expect(await found.platformName()).to.equal('Round-trip LMS');
        const json = await found.platformJSON();
        expect(json).to.include({ id, url, clientId, authorizationServer, active: true });
        expect(String(json.publicKey)).to.match(/^-----BEGIN PUBLIC KEY-----/);
        expect(await found.platformPrivateKey()).to.match(/^-----BEGIN RSA PRIVATE KEY-----/);
        const [privateRow] = await rawRows('privatekey', { kid: id });
        expect(JSON.stringify(privateRow!.doc)).to.not.contain('PRIVATE KEY');

        const byIssuer = await provider.getPlatform(url);
        expect(byIssuer).to.be.an('array').with.length(1);
        // Accrue's own read of the registry sees the same value.
        expect((await harness().accrue.accrue.lti.registry.get(id)).authorizationServer).to.equal(authorizationServer);
      } finally {
        await provider.deletePlatformById(id);
      }
      expect(await provider.getPlatform(url, clientId)).to.equal(false);
      expect(await rawRows('publickey', { kid: id })).to.have.length(0);
      expect(await rawRows('privatekey', { kid: id })).to.have.length(0);
    });

    it('when ltijs asks the platform for an access token, then it is stored encrypted and reused until it expires', async () => {
      const { accrue } = harness();
      const { provider } = world();
      const lms = await startPlatform(accrue);
      let open = true;
      try {
        const platform = (await provider.getPlatformById(lms.id)) as LtijsPlatform;
        const scope = 'https://purl.imsglobal.org/spec/lti-ags/scope/score';
        const index = { platformUrl: lms.platform.options.issuer, clientId: lms.platform.options.clientId, scopes: scope };

        // The test platform's token endpoint verifies the client assertion against Accrue's /lti/keys.
        const first = await platform.platformAccessToken(scope);
        expect(first.token_type).to.equal('Bearer');
        expect(first.access_token.split('.')).to.have.length(3);
        const claims = JSON.parse(Buffer.from(first.access_token.split('.')[1]!, 'base64url').toString()) as Doc;
        expect(claims.scope).to.equal(scope);
        const [row] = await rawRows('accesstoken', index);
        expect(row!.ttl).to.be.closeTo(3600, 0.5);
        expect(JSON.stringify(row!.doc)).to.not.contain(first.access_token);

        const second = await platform.platformAccessToken(scope);
        expect(second.access_token).to.equal(first.access_token);
        expect((await rawRows('accesstoken', index)).map((r) => r.id)).to.deep.equal([row!.id]);

        await expireNow('accesstoken', index);
        const renewed = await platform.platformAccessToken(scope);
        const rows = await rawRows('accesstoken', index);
        expect(rows).to.have.length(1);
        expect(rows[0]!.id, 'an expired token is fetched again').to.not.equal(row!.id);

        // With the platform gone, only the cache can answer.
        await lms.close();
        open = false;
        const cached = await platform.platformAccessToken(scope);
        expect(cached.access_token).to.equal(renewed.access_token);
      } finally {
        if (open) await lms.close();
      }
    });
  });
});
