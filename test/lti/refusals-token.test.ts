/**
 * Launch refusals about the id_token itself: signature, algorithm, key id, time claims, nonce, replay, shape and
 * size (OIDC Core 3.1.3.7, IMS Security Framework 5.1.3). Every case runs the real login -> launch flow over HTTP.
 */
import { expect } from 'chai';
import { harness, startPlatform } from '../helpers/harness';
import { authorize, learner, postLaunch, startLogin } from '../helpers/launch';
import { expectRefusal, forgedLaunch, nowSeconds, sessionCount, signHs256, signWithForeignKey, unsignedToken } from '../helpers/refusal';

describe('LTI launch refusals: the id_token', () => {
  it('when the token is signed by another RSA key under the platform\'s kid, then it is refused as BAD_SIGNATURE', async () => {
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => signWithForeignKey(claims, platform.kid) });
    await expectRefusal(res, { status: 400, code: 'BAD_SIGNATURE', sub: scenario.sub });
  });

  it('when the token is unsigned (alg: none), then it is refused as UNSUPPORTED_ALG', async () => {
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => unsignedToken(claims, platform.kid) });
    await expectRefusal(res, { status: 400, code: 'UNSUPPORTED_ALG', sub: scenario.sub });
  });

  it('when the token is HS256 signed with the client id as secret, then it is refused as UNSUPPORTED_ALG', async () => {
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => signHs256(claims, platform.options.clientId, platform.kid) });
    await expectRefusal(res, { status: 400, code: 'UNSUPPORTED_ALG', sub: scenario.sub });
  });

  it('when the token names a kid the platform does not publish, then it is refused as UNKNOWN_KID', async () => {
    const { res, scenario } = await forgedLaunch({ token: (claims) => signWithForeignKey(claims, `unknown-${Date.now()}`) });
    await expectRefusal(res, { status: 400, code: 'UNKNOWN_KID', sub: scenario.sub });
  });

  it('when the token expired longer ago than the clock skew allows, then it is refused as TOKEN_EXPIRED', async () => {
    const { config } = harness();
    const iat = nowSeconds() - config.clockSkewSeconds - 120;
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => platform.sign(claims, { issuedAt: iat, expiresIn: 30 }) });
    await expectRefusal(res, { status: 400, code: 'TOKEN_EXPIRED', sub: scenario.sub });
  });

  it('when the token expired a few seconds ago, within the configured clock skew, then the launch is accepted', async () => {
    const { config } = harness();
    expect(config.clockSkewSeconds).to.be.at.least(20);
    const iat = nowSeconds() - 40;
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => platform.sign(claims, { issuedAt: iat, expiresIn: 30 }) });
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when the token was issued further in the future than the clock skew allows, then it is refused as TOKEN_FROM_FUTURE', async () => {
    const { config } = harness();
    const iat = nowSeconds() + config.clockSkewSeconds + 120;
    const { res, scenario } = await forgedLaunch({ token: (claims, platform) => platform.sign(claims, { issuedAt: iat, expiresIn: 300 }) });
    await expectRefusal(res, { status: 400, code: 'TOKEN_FROM_FUTURE', sub: scenario.sub });
  });

  it('when the token carries no nonce, then it is refused as MISSING_NONCE', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { delete c.nonce; } });
    await expectRefusal(res, { status: 400, code: 'MISSING_NONCE', sub: scenario.sub });
  });

  it('when the token\'s nonce is not the one this login sent, then it is refused as NONCE_MISMATCH', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c.nonce = 'a-nonce-from-another-login'; } });
    await expectRefusal(res, { status: 400, code: 'NONCE_MISMATCH', sub: scenario.sub });
  });

  it('when the same id_token and state are posted twice, then the second post is refused and creates no second session', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    const first = await postLaunch(login, fields);
    expect(first.status).to.equal(303);
    const replay = await postLaunch(login, fields);
    await expectRefusal(replay, { status: 401, code: 'UNKNOWN_STATE' });
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when an already used id_token is replayed with a fresh login\'s state, then it is refused as NONCE_MISMATCH', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    expect((await postLaunch(login, fields)).status).to.equal(303);
    const second = await startLogin(accrue.url, lms.platform, scenario, { agent: login.agent });
    const replay = await postLaunch(second, { id_token: fields.id_token, state: second.state });
    await expectRefusal(replay, { status: 400, code: 'NONCE_MISMATCH' });
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when the body is not a JWT (a random string, a two-part string), then it is refused as MALFORMED_ID_TOKEN', async () => {
    const { accrue, lms } = harness();
    for (const idToken of ['this is not a token', 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0', '...', 'a.b.c.d']) {
      const scenario = learner();
      const login = await startLogin(accrue.url, lms.platform, scenario);
      const res = await postLaunch(login, { id_token: idToken, state: login.state });
      await expectRefusal(res, { status: 400, code: 'MALFORMED_ID_TOKEN', sub: scenario.sub });
    }
  });

  it('when the header of a three-part token is not JSON, then it is refused as MALFORMED_ID_TOKEN', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const res = await postLaunch(login, { id_token: `${Buffer.from('not json').toString('base64url')}.e30.c2ln`, state: login.state });
    await expectRefusal(res, { status: 400, code: 'MALFORMED_ID_TOKEN', sub: scenario.sub });
  });

  it('when the id_token is larger than MAX_ID_TOKEN_BYTES, then it is refused with 413 ID_TOKEN_TOO_LARGE', async () => {
    const { config } = harness();
    expect(config.maxIdTokenBytes).to.equal(16 * 1024);
    // Just over the limit, so the body itself is still read and the id_token check is what refuses it.
    const { res, scenario } = await forgedLaunch({
      edit: (c) => { c.padding = 'x'.repeat(Math.ceil(config.maxIdTokenBytes * 0.7)); },
      token: async (claims, platform) => {
        const token = await platform.sign(claims);
        expect(token.length).to.be.within(config.maxIdTokenBytes + 1, config.maxIdTokenBytes + 4096);
        return token;
      },
    });
    await expectRefusal(res, { status: 413, code: 'ID_TOKEN_TOO_LARGE', sub: scenario.sub });
  });

  it('when the launch body is far larger than any id_token, then it is refused with 413 on the launch-error page', async () => {
    const { config } = harness();
    const { res, scenario } = await forgedLaunch({ token: () => 'a'.repeat(config.maxIdTokenBytes * 8) + '.b.c' });
    await expectRefusal(res, { status: 413, code: 'ID_TOKEN_TOO_LARGE', sub: scenario.sub });
  });

  it('when the platform\'s key set cannot be fetched, then the launch is refused as PLATFORM_KEYS_UNAVAILABLE (4xx, not 5xx)', async function () {
    this.timeout(60_000);
    const gone = await startPlatform(harness().accrue);
    await gone.close(); // the LMS is down: its JWKS URL refuses connections, Accrue's login does not need it
    const { res, scenario } = await forgedLaunch({ platform: gone.platform });
    await expectRefusal(res, { status: 424, code: 'PLATFORM_KEYS_UNAVAILABLE', sub: scenario.sub });
  });
});
