/**
 * Launch refusals about the OIDC login and its binding to the browser: state and its cookie, login initiation
 * parameters, issuers shared by several registrations (Canvas cloud), inactive platforms, and what arrives at
 * /lti/launch outside a login (LTI 1.3 Core 5.1.1, OIDC Core 3.1.2.6 and 3.1.3.7, IMS Security Framework 5.1.1).
 */
import { expect } from 'chai';
import request from 'supertest';
import { harness, startPlatform, type TestPlatform } from '../helpers/harness';
import { authorize, learner, postLaunch, startLogin } from '../helpers/launch';
import { expectRefusal, forgedLaunch, sessionCount } from '../helpers/refusal';

/** The login-state cookie a login initiation set, as `name=value`. */
function loginCookie(res: { headers: Record<string, unknown> }): string {
  const cookies = (res.headers['set-cookie'] as string[] | undefined) ?? [];
  const c = cookies.find((x) => x.startsWith('lti_login_'));
  if (!c) throw new Error('no login cookie was set');
  return c.split(';')[0]!;
}

function loginPath(params: Record<string, string | undefined>): string {
  const { accrue, lms } = harness();
  const url = new URL(lms.platform.loginUrl(learner()));
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  expect(url.origin).to.equal(new URL(accrue.url).origin);
  return url.pathname + url.search;
}

describe('LTI launch refusals: login and state', () => {
  it('when another browser posts this login\'s state with its own cookie, then it is refused and this browser can still launch', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const mine = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(mine);
    // Another browser with its own login cookie jar posts the intercepted state and id_token.
    const other = await startLogin(accrue.url, lms.platform, learner());
    await expectRefusal(await postLaunch(other, fields), { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
    // Worse: it presents its own cookie value under the name this login's cookie has (the name derives from the
    // state; checked on its own login so that a change of naming fails here instead of testing a missing cookie).
    const theirLogin = await request(accrue.url).get(loginPath({}));
    const [theirName, theirValue] = loginCookie(theirLogin).split('=') as [string, string];
    const cookieNameOf = (state: string) => `lti_login_${state.slice(0, 20)}`;
    expect(theirName).to.equal(cookieNameOf(new URL(theirLogin.headers.location!).searchParams.get('state')!));
    const res = await request(accrue.url).post('/lti/launch').set('Cookie', `${cookieNameOf(mine.state)}=${theirValue}`).type('form').send(fields);
    await expectRefusal(res, { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
    const honest = await postLaunch(mine, fields);
    expect(honest.status, honest.text.slice(0, 300)).to.equal(303);
  });

  it('when the id_token and state are posted without the login cookie, then it is refused as STATE_MISMATCH', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    const res = await request(accrue.url).post('/lti/launch').type('form').send(fields);
    await expectRefusal(res, { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
  });

  it('when the state is tampered with, then it is refused as UNKNOWN_STATE', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    const last = fields.state.slice(-1);
    const res = await postLaunch(login, { ...fields, state: fields.state.slice(0, -1) + (last === 'A' ? 'B' : 'A') });
    await expectRefusal(res, { status: 401, code: 'UNKNOWN_STATE', sub: scenario.sub });
  });

  it('when the state is not even shaped like one of ours (a NUL, spaces), then it is refused as UNKNOWN_STATE, not a 500', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    for (const state of [`${fields.state}\u0000`, 'not a state']) {
      await expectRefusal(await postLaunch(login, { ...fields, state }), { status: 401, code: 'UNKNOWN_STATE', sub: scenario.sub });
    }
  });

  it('when an id_token is posted with no login before it, then it is refused (UNKNOWN_STATE, or MISSING_STATE without state)', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const idToken = await lms.platform.sign(lms.platform.claims({ ...scenario, nonce: 'never-issued-by-accrue' }));
    const withState = await request(accrue.url).post('/lti/launch').type('form').send({ id_token: idToken, state: 'Zm9yZ2VkLXN0YXRlLW5ldmVyLWlzc3VlZA' });
    await expectRefusal(withState, { status: 401, code: 'UNKNOWN_STATE', sub: scenario.sub });
    const without = await request(accrue.url).post('/lti/launch').type('form').send({ id_token: idToken });
    await expectRefusal(without, { status: 400, code: 'MISSING_STATE', sub: scenario.sub });
    const nothing = await request(accrue.url).post('/lti/launch').type('form').send({});
    await expectRefusal(nothing, { status: 400, code: 'MISSING_ID_TOKEN' });
  });

  it('when login initiation names an unknown issuer, then it is refused as UNKNOWN_PLATFORM and sets no cookie', async () => {
    const res = await request(harness().accrue.url).get(loginPath({ iss: 'https://unknown-lms.example', client_id: undefined }));
    await expectRefusal(res, { status: 400, code: 'UNKNOWN_PLATFORM' });
    expect(res.headers['set-cookie']).to.equal(undefined);
  });

  it('when login initiation names a known issuer with an unknown client id, then it is refused as UNKNOWN_CLIENT_ID', async () => {
    const res = await request(harness().accrue.url).get(loginPath({ client_id: 'not-a-registered-client' }));
    await expectRefusal(res, { status: 400, code: 'UNKNOWN_CLIENT_ID' });
    expect(res.headers['set-cookie']).to.equal(undefined);
  });

  it('when login initiation lacks iss, login_hint or target_link_uri, or targets another host, then each is refused by name', async () => {
    const { accrue } = harness();
    const cases: [Record<string, string | undefined>, string][] = [
      [{ iss: undefined }, 'MISSING_ISS'],
      [{ login_hint: undefined }, 'MISSING_LOGIN_HINT'],
      [{ target_link_uri: undefined }, 'MISSING_TARGET_LINK_URI'],
      [{ target_link_uri: 'https://evil.example/lti/launch' }, 'FOREIGN_TARGET_LINK_URI'],
      [{ target_link_uri: `${accrue.url}.evil.example/lti/launch` }, 'FOREIGN_TARGET_LINK_URI'],
      [{ target_link_uri: 'not a url' }, 'FOREIGN_TARGET_LINK_URI'],
    ];
    for (const [params, code] of cases) {
      const res = await request(accrue.url).get(loginPath(params));
      await expectRefusal(res, { status: 400, code });
      expect(res.headers['set-cookie'], code).to.equal(undefined);
    }
  });

  it('when a login parameter we store or look up contains a NUL, then it is refused as INVALID_LOGIN_REQUEST, not a 500', async () => {
    const { accrue } = harness();
    for (const params of [{ target_link_uri: `${accrue.url}/lti/launch\u0000` }, { lti_storage_target: '_parent\u0000' }, { client_id: 'x\u0000' }]) {
      await expectRefusal(await request(accrue.url).get(loginPath(params)), { status: 400, code: 'INVALID_LOGIN_REQUEST' });
    }
    // login_hint is the platform's opaque value, only forwarded (encoded) to its authorization endpoint.
    expect((await request(accrue.url).get(loginPath({ login_hint: 'line one\nline two' }))).status).to.equal(302);
  });

  it('when login initiation comes as a form POST, then the same checks apply', async () => {
    const res = await request(harness().accrue.url).post('/lti/login').type('form').send({ iss: 'https://unknown-lms.example', login_hint: 'x', target_link_uri: `${harness().accrue.url}/lti/launch` });
    await expectRefusal(res, { status: 400, code: 'UNKNOWN_PLATFORM' });
  });

  describe('two registrations sharing one issuer (Canvas cloud)', () => {
    let tenantA: TestPlatform;
    let tenantB: TestPlatform;
    before(async function () {
      this.timeout(90_000);
      tenantA = await startPlatform(harness().accrue);
      tenantB = await startPlatform(harness().accrue, { issuer: tenantA.platform.options.issuer });
    });
    after(async () => {
      await tenantB?.close();
      await tenantA?.close();
    });

    it('when login carries client_id, then the matching registration is used and each tenant\'s launch succeeds', async () => {
      expect(tenantB.platform.options.issuer).to.equal(tenantA.platform.options.issuer);
      for (const tenant of [tenantA, tenantB]) {
        const { res, login, scenario } = await forgedLaunch({ platform: tenant.platform });
        expect(login.authUrl.searchParams.get('client_id')).to.equal(tenant.platform.options.clientId);
        expect(res.status, res.text.slice(0, 300)).to.equal(303);
        expect(await sessionCount(scenario.sub)).to.equal(1);
      }
    });

    it('when login carries no client_id, then it is refused as AMBIGUOUS_PLATFORM', async () => {
      const url = new URL(tenantB.platform.loginUrl(learner()));
      url.searchParams.delete('client_id');
      const res = await request(harness().accrue.url).get(url.pathname + url.search);
      await expectRefusal(res, { status: 400, code: 'AMBIGUOUS_PLATFORM' });
    });

    it('when tenant A\'s id_token answers tenant B\'s login, then it is refused as WRONG_AUDIENCE', async () => {
      const { res, scenario } = await forgedLaunch({
        platform: tenantB.platform,
        token: (claims) => tenantA.platform.sign(tenantA.platform.claims({ ...learner(), sub: String(claims.sub), nonce: String(claims.nonce) })),
      });
      await expectRefusal(res, { status: 400, code: 'WRONG_AUDIENCE', sub: scenario.sub });
    });
  });

  describe('a registered but inactive platform', () => {
    let inactive: TestPlatform;
    before(async function () {
      this.timeout(60_000);
      inactive = await startPlatform(harness().accrue, { active: false });
    });
    after(async () => inactive?.close());

    it('when it initiates a login, then it is refused as PLATFORM_NOT_ACTIVE (403)', async () => {
      const url = new URL(inactive.platform.loginUrl(learner()));
      const res = await request(harness().accrue.url).get(url.pathname + url.search);
      await expectRefusal(res, { status: 403, code: 'PLATFORM_NOT_ACTIVE' });
    });

    it('when it is deactivated between login and launch, then the launch is refused as PLATFORM_NOT_ACTIVE (403)', async () => {
      const { accrue } = harness();
      await accrue.accrue.lti.registry.setActive(inactive.id, true);
      const scenario = learner();
      let login;
      try {
        login = await startLogin(accrue.url, inactive.platform, scenario);
      } finally {
        await accrue.accrue.lti.registry.setActive(inactive.id, false);
      }
      const res = await postLaunch(login, await authorize(login));
      await expectRefusal(res, { status: 403, code: 'PLATFORM_NOT_ACTIVE', sub: scenario.sub });
    });
  });

  it('when /lti/launch is opened with GET, then it answers 405 LAUNCH_NEEDS_POST with Allow: POST', async () => {
    const res = await request(harness().accrue.url).get('/lti/launch?id_token=x&state=y');
    await expectRefusal(res, { status: 405, code: 'LAUNCH_NEEDS_POST' });
    expect(res.headers.allow).to.equal('POST');
  });

  it('when the platform form_posts an OIDC error, then it answers 4xx PLATFORM_ERROR without echoing arbitrary text', async () => {
    const { accrue, lms } = harness();
    const login = await startLogin(accrue.url, lms.platform, learner());
    const denied = await postLaunch(login, { error: 'login_required', error_description: 'The user is not logged in', state: login.state });
    await expectRefusal(denied, { status: 401, code: 'PLATFORM_ERROR' });
    expect(denied.text).to.contain('login_required');
    const hostile = await postLaunch(login, { error: '<script>alert(1)</script> Call 555-0100 for help', state: login.state });
    await expectRefusal(hostile, { status: 401, code: 'PLATFORM_ERROR' });
    expect(hostile.text).to.not.contain('<script>alert').and.not.contain('555-0100');
  });
});
