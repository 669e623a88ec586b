import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/main';
import { testConfig } from '../helpers/db';
import { harness, serve, startPlatform, type TestPlatform } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];
const TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';

/** What an LMS administrator's browser opens: the tool's registration URL with the platform's two parameters. */
function openRegistration(accrueUrl: string, query: Record<string, string | undefined>) {
  return request(accrueUrl).get('/lti/register').query(Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined)));
}

const configUrl = (lms: TestPlatform) => `${lms.url}/.well-known/openid-configuration`;

async function storedFor(server: RunningServer, issuer: string) {
  return (await server.accrue.lti.registry.list()).filter((p) => p.issuer === issuer);
}

async function countRows(server: RunningServer, collection: string): Promise<number> {
  const res = await server.accrue.db.query<{ n: string }>('SELECT count(*) AS n FROM ltijs_document WHERE collection = $1', [collection]);
  return Number(res.rows[0]!.n);
}

/** A refusal is a 4xx page with a stable code, never a stack trace. */
function expectRefusal(res: request.Response, status: number, code: string) {
  expect(res.status, res.text).to.equal(status);
  expect(res.type).to.equal('text/html');
  expect(res.text).to.contain(code);
  expect(res.text).to.not.match(/\bat \w+ \(|node_modules/);
}

describe('LTI Dynamic Registration (tool side)', function () {
  this.timeout(60_000);

  it('when a platform opens /lti/register with its configuration and token, then it is registered with its deployment and can launch', async () => {
    const { accrue, config } = harness();
    expect(config.autoActivatePlatforms, 'the suite runs with auto-activation (development/test default)').to.equal(true);
    const lms = await startPlatform(accrue, { register: false, registrationToken: 't0k' });
    try {
      const res = await openRegistration(accrue.url, { openid_configuration: configUrl(lms), registration_token: 't0k' });
      expect(res.status, res.text).to.equal(200);
      // DR 1.0 3.7: the page tells the platform (its opener or parent frame) that registration is done.
      expect(res.text).to.contain("postMessage({ subject: 'org.imsglobal.lti.close' }");
      expect(res.text).to.contain('Accrue is registered').and.contain('You can add it to a course now');

      const stored = await storedFor(accrue, lms.url);
      expect(stored).to.have.length(1);
      const platform = stored[0]!;
      expect(platform).to.include({ clientId: lms.platform.options.clientId, authEndpoint: lms.platform.authEndpoint, tokenEndpoint: lms.platform.tokenEndpoint, active: true });
      expect(platform.authConfig).to.deep.equal({ method: 'JWK_SET', key: lms.platform.jwksUrl });
      expect(platform.name).to.contain('accrue-sandbox');
      expect(await accrue.accrue.lti.registry.deployments(platform.id)).to.deep.equal([{ deploymentId: lms.platform.options.deploymentId, active: true }]);

      // What the platform received is the tool's registration request (DR 1.0 3.5.2).
      const sent = lms.platform.lastRegistration!;
      expect(sent).to.include({
        application_type: 'web', initiate_login_uri: `${accrue.url}/lti/login`, jwks_uri: `${accrue.url}/lti/keys`,
        token_endpoint_auth_method: 'private_key_jwt', client_name: config.toolName,
      });
      expect(sent.redirect_uris).to.deep.equal([`${accrue.url}/lti/launch`]);
      expect(sent.response_types).to.deep.equal(['id_token']);
      expect(sent.grant_types).to.have.members(['implicit', 'client_credentials']);
      expect(String(sent.scope).split(' ')).to.have.members(SCOPES);
      const tool = sent[TOOL_CONFIGURATION] as Record<string, unknown>;
      expect(tool).to.include({ domain: new URL(accrue.url).host, target_link_uri: `${accrue.url}/lti/launch`, description: config.toolDescription });
      expect(tool.claims).to.include.members(['iss', 'sub', 'name', 'given_name', 'family_name', 'email']);
      const messages = tool.messages as { type: string; target_link_uri: string }[];
      expect(messages.map((m) => m.type)).to.have.members(['LtiResourceLinkRequest', 'LtiDeepLinkingRequest']);
      for (const m of messages) expect(m.target_link_uri).to.equal(`${accrue.url}/lti/launch`);

      // The tool key made for this registration is published, and a launch from the platform is accepted.
      const kids = ((await request(accrue.url).get('/lti/keys')).body as { keys: { kid: string }[] }).keys.map((k) => k.kid);
      expect(kids).to.include(platform.id);
      const ok = await launch(accrue.url, lms.platform, learner({ name: 'Dyn Reg' }));
      expect(ok.res.status).to.equal(303);
      expect(ok.location).to.match(/^\/learner\?s=/);
      expect((await ok.agent.get(ok.location)).text).to.contain('Dyn Reg');
    } finally {
      await lms.close();
    }
  });

  describe('refusals (a 4xx page, nothing stored)', () => {
    it('when openid_configuration is missing or not a URL, then it answers 400', async () => {
      const { accrue } = harness();
      const before = await countRows(accrue, 'platform');
      expectRefusal(await openRegistration(accrue.url, { registration_token: 't0k' }), 400, 'MISSING_OPENID_CONFIGURATION');
      expectRefusal(await openRegistration(accrue.url, { openid_configuration: 'file:///etc/passwd' }), 400, 'MISSING_OPENID_CONFIGURATION');
      expect(await countRows(accrue, 'platform')).to.equal(before);
    });

    it('when the configuration URL cannot be reached, then it answers 424', async () => {
      const { accrue } = harness();
      // A port that was just free: nothing listens there.
      const probe = http.createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
      const port = (probe.address() as AddressInfo).port;
      await new Promise<void>((r) => probe.close(() => r()));
      const before = await countRows(accrue, 'platform');
      const res = await openRegistration(accrue.url, { openid_configuration: `http://127.0.0.1:${port}/.well-known/openid-configuration`, registration_token: 't0k' });
      expectRefusal(res, 424, 'PLATFORM_CONFIGURATION_UNREACHABLE');
      expect(await countRows(accrue, 'platform')).to.equal(before);
    });

    it('when the configuration names an issuer on another host than its URL, then it answers 400 and never calls the registration endpoint', async () => {
      const { accrue } = harness();
      const app = express();
      let registrationCalls = 0;
      let base = '';
      app.get('/.well-known/openid-configuration', (_req, res) => {
        res.json({
          issuer: 'https://lms.elsewhere.example', authorization_endpoint: `${base}/auth`, token_endpoint: `${base}/token`,
          jwks_uri: `${base}/jwks`, registration_endpoint: `${base}/register`, id_token_signing_alg_values_supported: ['RS256'],
          'https://purl.imsglobal.org/spec/lti-platform-configuration': { product_family_code: 'impostor' },
        });
      });
      app.post('/register', (_req, res) => {
        registrationCalls++;
        res.json({ client_id: 'stolen' });
      });
      const served = await serve(app);
      base = served.url;
      try {
        const before = await countRows(accrue, 'platform');
        const res = await openRegistration(accrue.url, { openid_configuration: `${served.url}/.well-known/openid-configuration`, registration_token: 't0k' });
        expectRefusal(res, 400, 'ISSUER_MISMATCH');
        expect(registrationCalls).to.equal(0);
        expect(await countRows(accrue, 'platform')).to.equal(before);
        expect(await storedFor(accrue, 'https://lms.elsewhere.example')).to.have.length(0);
      } finally {
        await served.close();
      }
    });

    it('when the registration token is wrong, then the platform answers 401 and Accrue answers 424 without storing anything', async () => {
      const { accrue } = harness();
      const lms = await startPlatform(accrue, { register: false, registrationToken: 't0k' });
      try {
        const keysBefore = await countRows(accrue, 'publickey');
        const res = await openRegistration(accrue.url, { openid_configuration: configUrl(lms), registration_token: 'not-the-token' });
        expectRefusal(res, 424, 'REGISTRATION_REFUSED');
        expect(res.text).to.contain('HTTP 401');
        expect(lms.platform.lastRegistration).to.equal(undefined);
        expect(await storedFor(accrue, lms.url)).to.have.length(0);
        expect(await countRows(accrue, 'publickey')).to.equal(keysBefore);
      } finally {
        await lms.close();
      }
    });

    it('when the same platform registers twice, then the second answers 409 and the first registration is kept unchanged', async () => {
      const { accrue } = harness();
      const lms = await startPlatform(accrue, { register: false, registrationToken: 't0k' });
      try {
        const query = { openid_configuration: configUrl(lms), registration_token: 't0k' };
        expect((await openRegistration(accrue.url, query)).status).to.equal(200);
        const [first] = await storedFor(accrue, lms.url);
        const keysBefore = await countRows(accrue, 'publickey');
        expectRefusal(await openRegistration(accrue.url, query), 409, 'PLATFORM_EXISTS');
        const after = await storedFor(accrue, lms.url);
        expect(after).to.deep.equal([first]);
        expect(await countRows(accrue, 'publickey')).to.equal(keysBefore);
      } finally {
        await lms.close();
      }
    });
  });

  describe('concurrency', () => {
    it('when a registration is submitted twice at once (a double click), then exactly one stands, complete, and the other answers 409', async () => {
      const { accrue } = harness();
      const lms = await startPlatform(accrue, { register: false, registrationToken: 't0k' });
      try {
        const query = { openid_configuration: configUrl(lms), registration_token: 't0k' };
        const answers = await Promise.all([openRegistration(accrue.url, query), openRegistration(accrue.url, query)]);
        expect(answers.map((r) => r.status).sort()).to.deep.equal([200, 409]);
        const stored = await storedFor(accrue, lms.url);
        expect(stored).to.have.length(1);
        const [platform] = stored;
        const keys = await accrue.accrue.db.query<{ collection: string; kid: string }>(
          "SELECT collection, doc->>'kid' AS kid FROM ltijs_document WHERE collection IN ('publickey', 'privatekey') AND doc->>'platformUrl' = $1", [lms.url]);
        expect(keys.rows.map((r) => `${r.collection}:${r.kid}`).sort()).to.deep.equal([`privatekey:${platform!.id}`, `publickey:${platform!.id}`]);
        expect((await accrue.accrue.lti.registry.deployments(platform!.id)).map((d) => d.deploymentId)).to.deep.equal([lms.platform.options.deploymentId]);
        expect((await launch(accrue.url, lms.platform, learner())).res.status).to.equal(303);
      } finally {
        await lms.close();
      }
    });
  });

  describe('activation', () => {
    let strict: RunningServer;
    before(async () => {
      // Production forces AUTO_ACTIVATE_PLATFORMS off (see test/config.test.ts): an instance configured that way.
      strict = await startServer({
        config: testConfig({ publicUrl: 'http://127.0.0.1:0', sandbox: false, autoActivatePlatforms: false }), db: harness().accrue.accrue.db, host: '127.0.0.1',
      });
    });
    after(async () => {
      await strict?.close();
    });

    it('when auto-activation is off, then a dynamically registered platform starts inactive and launches only after activation', async () => {
      const lms = await startPlatform(strict, { register: false, registrationToken: 't0k' });
      try {
        const res = await openRegistration(strict.url, { openid_configuration: configUrl(lms), registration_token: 't0k' });
        expect(res.status, res.text).to.equal(200);
        expect(res.text).to.contain('org.imsglobal.lti.close');
        const [platform] = await storedFor(strict, lms.url);
        expect(platform!.active).to.equal(false);
        expect(res.text).to.contain(`npm run accrue -- platform activate ${platform!.id}`);

        const url = new URL(lms.platform.loginUrl(learner()));
        const refused = await request(strict.url).get(url.pathname + url.search);
        expect(refused.status).to.equal(403);
        expect(refused.text).to.contain('PLATFORM_NOT_ACTIVE');

        await strict.accrue.lti.registry.setActive(platform!.id, true);
        const ok = await launch(strict.url, lms.platform, learner());
        expect(ok.res.status).to.equal(303);
        expect(ok.location).to.match(/^\/learner\?s=/);
      } finally {
        await lms.close();
      }
    });
  });
});
