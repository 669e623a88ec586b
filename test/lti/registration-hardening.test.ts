/**
 * Dynamic registration under hostile or heavy use: the tool key is made off the event loop, /lti/register is
 * rate-limited per client address, a registration_endpoint away from the platform's host is refused, and two
 * processes registering one platform at once leave exactly one complete registration.
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import type { RunningServer } from '../../src/main';
import { harness, serve } from '../helpers/harness';
import { startInstance } from '../helpers/instance';
import { registrationEndpointAllowed } from '../../src/lti/registration';

/**
 * An LMS that speaks LTI Dynamic Registration 1.0 over HTTP: its OpenID configuration and a registration endpoint
 * that answers with a client id and a deployment. `registrationEndpoint` overrides where its configuration says
 * registration happens; `onRegistered` runs once its answer to the tool has been sent.
 */
async function registrationPlatform(options: { registrationEndpoint?: (base: string) => string; onRegistered?: () => void; clientId?: string } = {}) {
  const app = express();
  let base = '';
  const seen = { configuration: 0, registration: 0 };
  const clientId = options.clientId ?? `client-${crypto.randomUUID()}`;
  const deploymentId = `deployment-${crypto.randomUUID()}`;
  app.get('/.well-known/openid-configuration', (_req, res) => {
    seen.configuration++;
    res.json({
      issuer: base, authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`, jwks_uri: `${base}/jwks`,
      registration_endpoint: options.registrationEndpoint ? options.registrationEndpoint(base) : `${base}/register`,
      id_token_signing_alg_values_supported: ['RS256'],
      'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'hardening-lms' },
    });
  });
  app.post('/register', express.json(), (req, res) => {
    seen.registration++;
    if (req.headers.authorization !== 'Bearer reg-token') return res.status(401).json({ error: 'invalid_token' });
    res.on('finish', () => options.onRegistered?.());
    res.json({ client_id: clientId, 'https://purl.imsglobal.org/spec/lti-tool-configuration': { deployment_id: deploymentId } });
  });
  const served = await serve(app);
  base = served.url;
  return { url: served.url, seen, clientId, deploymentId, configUrl: `${served.url}/.well-known/openid-configuration`, close: served.close };
}

const register = (accrueUrl: string, configUrl: string, from?: string) => {
  const r = request(accrueUrl).get('/lti/register').query({ openid_configuration: configUrl, registration_token: 'reg-token' });
  return from ? r.set('X-Forwarded-For', from) : r;
};

async function toolKeysOf(server: RunningServer, issuer: string) {
  const res = await server.accrue.db.query<{ collection: string; kid: string }>(
    "SELECT collection, doc->>'kid' AS kid FROM ltijs_document WHERE collection IN ('publickey', 'privatekey') AND doc->>'platformUrl' = $1 ORDER BY collection", [issuer]);
  return res.rows;
}

/** The RSA modulus size of the published tool key with this kid. */
async function publishedKeyBits(server: RunningServer, kid: string): Promise<number> {
  const jwks = (await request(server.url).get('/lti/keys').expect(200)).body as { keys: { kid: string; n: string; kty: string }[] };
  const jwk = jwks.keys.find((k) => k.kid === kid);
  expect(jwk, 'the new tool key is published').to.not.equal(undefined);
  expect(jwk!.kty).to.equal('RSA');
  return Buffer.from(jwk!.n, 'base64url').length * 8;
}

describe('LTI Dynamic Registration hardening', function () {
  this.timeout(120_000);

  describe('tool key generation', () => {
    it('when a platform registers, then its tool key is a 2048-bit RSA key by default, stored as ltijs reads it, and ltijs signs with it', async () => {
      const { accrue, config } = harness();
      expect(config.ltiToolKeyBits).to.equal(2048);
      const lms = await registrationPlatform();
      try {
        const res = await register(accrue.url, lms.configUrl);
        expect(res.status, res.text).to.equal(200);
        const [platform] = (await accrue.accrue.lti.registry.list()).filter((p) => p.issuer === lms.url);
        expect(platform).to.include({ clientId: lms.clientId, active: true });
        expect((await toolKeysOf(accrue, lms.url)).map((r) => `${r.collection}:${r.kid}`)).to.deep.equal([`privatekey:${platform!.id}`, `publickey:${platform!.id}`]);
        expect(await publishedKeyBits(accrue, platform!.id)).to.equal(2048);
        // ltijs's own Platform object finds the pair: the private key it signs service requests with matches the published key.
        const ltijsPlatform = await accrue.accrue.lti.core.provider.getPlatformById(platform!.id);
        expect(ltijsPlatform).to.not.equal(false);
        const privatePem = await (ltijsPlatform as Exclude<typeof ltijsPlatform, false>).platformPrivateKey();
        const signature = crypto.sign('sha256', Buffer.from('probe'), privatePem);
        const publicPem = await (ltijsPlatform as Exclude<typeof ltijsPlatform, false>).platformPublicKey();
        expect(crypto.verify('sha256', Buffer.from('probe'), publicPem, signature)).to.equal(true);
        expect(await (ltijsPlatform as Exclude<typeof ltijsPlatform, false>).platformKid()).to.equal(platform!.id);
      } finally {
        await lms.close();
      }
    });

    it('when a 4096-bit tool key is being made for a registration, then health checks are answered one after another until it is done', async () => {
      // A key of this size takes ltijs's synchronous generator 1.4-4 s of blocked event loop. Probes start only once the
      // platform has answered, i.e. just before the key is made, and each waits for the previous answer. With the key
      // made synchronously (tried by swapping generateKeyPair for generateKeyPairSync) 5 probes were answered, all
      // around the registration's own queries; made on the thread pool, 283-387 (load average 6-9).
      const instance = await startInstance({ config: { ltiToolKeyBits: 4096 } });
      let registrationDone = false;
      let probing: Promise<number> | undefined;
      const probe = async () => {
        let answered = 0;
        while (!registrationDone) {
          const res = await request(instance.url).get('/healthz');
          expect(res.status).to.equal(200);
          if (!registrationDone) answered++;
        }
        return answered;
      };
      const lms = await registrationPlatform({ onRegistered: () => { probing = probe(); } });
      try {
        const res = await register(instance.url, lms.configUrl);
        registrationDone = true;
        expect(res.status, res.text).to.equal(200);
        expect(probing, 'the platform was asked to register').to.not.equal(undefined);
        const answeredDuringRegistration = await probing!;
        expect(answeredDuringRegistration, 'health checks answered while the key was being made').to.be.at.least(50);
        const [platform] = (await instance.accrue.lti.registry.list()).filter((p) => p.issuer === lms.url);
        expect(await publishedKeyBits(instance, platform!.id)).to.equal(4096);
      } finally {
        registrationDone = true;
        await lms.close();
        await instance.close();
      }
    });

    it('when two processes register the same platform at the same moment, then one registration stands with one key pair and the other answers 409', async () => {
      const [a, b] = await Promise.all([startInstance(), startInstance()]);
      const lms = await registrationPlatform();
      try {
        const answers = await Promise.all([register(a.url, lms.configUrl), register(b.url, lms.configUrl)]);
        expect(answers.map((r) => r.status).sort(), answers.map((r) => r.text.slice(0, 200)).join('\n')).to.deep.equal([200, 409]);
        const stored = (await a.accrue.lti.registry.list()).filter((p) => p.issuer === lms.url);
        expect(stored).to.have.length(1);
        expect((await toolKeysOf(a, lms.url)).map((r) => `${r.collection}:${r.kid}`)).to.deep.equal([`privatekey:${stored[0]!.id}`, `publickey:${stored[0]!.id}`]);
        expect((await a.accrue.lti.registry.deployments(stored[0]!.id)).map((d) => d.deploymentId)).to.deep.equal([lms.deploymentId]);
      } finally {
        await lms.close();
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('rate limit per client address', () => {
    let limited: RunningServer;
    before(async () => {
      limited = await startInstance({ config: { registrationRateLimit: 2, registrationRateWindowSeconds: 3600 } });
    });
    after(async () => {
      await limited?.close();
    });

    it('when one address opens /lti/register more often than the limit, then it gets a 429 page with Retry-After, and other addresses do not', async () => {
      const lms = await registrationPlatform();
      try {
        const from = '203.0.113.7'; // the harness talks through loopback, a trusted proxy: X-Forwarded-For names the client
        const first = await register(limited.url, lms.configUrl, from);
        expect(first.status, first.text).to.equal(200);
        // A refused attempt counts too: each one costs outbound requests.
        expect((await request(limited.url).get('/lti/register').set('X-Forwarded-For', from)).status).to.equal(400);
        const before = lms.seen.configuration;
        const refused = await register(limited.url, lms.configUrl, from);
        expect(refused.status).to.equal(429);
        expect(refused.type).to.equal('text/html');
        expect(refused.text).to.contain('REGISTRATION_RATE_LIMITED').and.contain('error id');
        expect(refused.text).to.not.match(/\bat \w+ \(|node_modules/);
        const retryAfter = Number(refused.headers['retry-after']);
        expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 3600, refused.headers['retry-after']).to.equal(true);
        expect(lms.seen.configuration, 'a refused registration fetches nothing').to.equal(before);

        // Another client is not affected.
        expect((await request(limited.url).get('/lti/register').set('X-Forwarded-For', '203.0.113.8')).status).to.equal(400);
      } finally {
        await lms.close();
      }
    });

    it('when the addresses are IPv6, then one /64 is one client', async () => {
      const attempt = (from: string) => request(limited.url).get('/lti/register').set('X-Forwarded-For', from);
      expect((await attempt('2001:db8:aa:1::1')).status).to.equal(400);
      expect((await attempt('2001:db8:aa:1:ffff:ffff:ffff:fffe')).status).to.equal(400);
      expect((await attempt('2001:db8:aa:1::abcd')).status).to.equal(429);
      expect((await attempt('2001:db8:aa:2::1')).status).to.equal(400);
    });
  });

  describe('registration_endpoint', () => {
    it('when the platform\'s registration_endpoint is on another host than its issuer, then 400 and the token is never sent there', async () => {
      const { accrue } = harness();
      const elsewhere = await registrationPlatform();
      // Same machine, another host name: the issuer is http://127.0.0.1:<port>, the endpoint http://localhost:<port>.
      const lms = await registrationPlatform({ registrationEndpoint: () => `${elsewhere.url.replace('127.0.0.1', 'localhost')}/register` });
      try {
        const res = await register(accrue.url, lms.configUrl);
        expect(res.status, res.text).to.equal(400);
        expect(res.type).to.equal('text/html');
        expect(res.text).to.contain('REGISTRATION_ENDPOINT_MISMATCH');
        expect(elsewhere.seen.registration).to.equal(0);
        expect(lms.seen.registration).to.equal(0);
        expect((await accrue.accrue.lti.registry.list()).filter((p) => p.issuer === lms.url)).to.have.length(0);
        expect(await toolKeysOf(accrue, lms.url)).to.have.length(0);
      } finally {
        await lms.close();
        await elsewhere.close();
      }
    });

    it('when another host is allowed (REGISTRATION_ENDPOINT_HOSTS), then plain http to it is still refused', async () => {
      const instance = await startInstance({ config: { registrationEndpointHosts: ['localhost'] } });
      const elsewhere = await registrationPlatform();
      const lms = await registrationPlatform({ registrationEndpoint: () => `${elsewhere.url.replace('127.0.0.1', 'localhost')}/register` });
      try {
        const res = await register(instance.url, lms.configUrl);
        expect(res.status, res.text).to.equal(400);
        expect(res.text).to.contain('REGISTRATION_ENDPOINT_MISMATCH');
        expect(elsewhere.seen.registration).to.equal(0);
      } finally {
        await lms.close();
        await elsewhere.close();
        await instance.close();
      }
    });
  });
});

describe('registrationEndpointAllowed (where the registration token may go)', () => {
  const cases: { endpoint: string; issuer: string; allowedHosts?: string[]; allowed: boolean; why: string }[] = [
    { endpoint: 'https://lms.example.edu/mod/lti/openid-registration.php', issuer: 'https://lms.example.edu', allowed: true, why: 'same host, https' },
    { endpoint: 'http://127.0.0.1:8080/register', issuer: 'http://127.0.0.1:8080', allowed: true, why: 'same host, the issuer\'s own scheme' },
    { endpoint: 'http://lms.example.edu/register', issuer: 'https://lms.example.edu', allowed: false, why: 'downgraded to http' },
    { endpoint: 'https://lms.example.edu:8443/register', issuer: 'https://lms.example.edu', allowed: false, why: 'another port is another service' },
    { endpoint: 'https://evil.example/register', issuer: 'https://lms.example.edu', allowed: false, why: 'another host' },
    { endpoint: 'https://lms.example.edu.evil.example/register', issuer: 'https://lms.example.edu', allowed: false, why: 'a suffix is another host' },
    { endpoint: 'https://user:pw@lms.example.edu/register', issuer: 'https://lms.example.edu', allowed: false, why: 'credentials in the URL' },
    { endpoint: 'https://reg.example.net/lti/registrations', issuer: 'https://canvas.example.com', allowedHosts: ['reg.example.net'], allowed: true, why: 'an allowed host over https' },
    { endpoint: 'https://REG.example.net/lti/registrations', issuer: 'https://canvas.example.com', allowedHosts: ['reg.example.net'], allowed: true, why: 'host names compare without case' },
    { endpoint: 'http://reg.example.net/lti/registrations', issuer: 'https://canvas.example.com', allowedHosts: ['reg.example.net'], allowed: false, why: 'an allowed host over http' },
    { endpoint: 'not a url', issuer: 'https://lms.example.edu', allowed: false, why: 'not a URL' },
  ];
  for (const c of cases) {
    it(`when the endpoint is ${c.endpoint} for issuer ${c.issuer}, then it is ${c.allowed ? 'allowed' : 'refused'} (${c.why})`, () => {
      expect(registrationEndpointAllowed({ endpoint: c.endpoint, issuer: c.issuer, allowedHosts: c.allowedHosts ?? [] })).to.equal(c.allowed);
    });
  }
});
