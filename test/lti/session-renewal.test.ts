/**
 * The session inside the LMS iframe needs no cookie: a short-lived HS256 token, per launch, bound to the user,
 * platform and context, carried in links, forms and the Authorization header, renewed on every page and, for a
 * learner who stays on one page, at POST /lti/session/renew; never written to a log.
 */
import { expect } from 'chai';
import { decodeJwt } from 'jose';
import request from 'supertest';
import { createLogger } from '../../src/log';
import type { RunningServer } from '../../src/main';
import { hiddenFields, postStorageValues, postWithoutCookie, startStorageLogin, storageData } from '../helpers/client-storage';
import { harness, startPlatform, type TestPlatform } from '../helpers/harness';
import { startInstance } from '../helpers/instance';
import { authorize, launch, learner } from '../helpers/launch';

describe('Launch session: renewal without cookies', () => {
  it('when a page\'s token is posted to /lti/session/renew as Bearer, then a fresh token for the same launch, user and context comes back, uncached', async () => {
    const { accrue, lms, config } = harness();
    const scenario = learner({ contextId: `course-${Date.now()}` });
    const { token } = await launch(accrue.url, lms.platform, scenario);
    const res = await request(accrue.url).post('/lti/session/renew').set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
    expect(res.status, res.text).to.equal(200);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(res.body.expiresIn).to.equal(config.sessionTtlMinutes * 60);
    const before = decodeJwt(token);
    const after = decodeJwt(res.body.token as string);
    expect(after).to.include({ sub: scenario.sub, sid: before.sid, plt: lms.id, ctx: scenario.contextId });
    expect(after.exp! - after.iat!).to.equal(config.sessionTtlMinutes * 60);
    expect(after.exp).to.be.at.least(before.exp!);
    const page = await request(accrue.url).get('/learner').set('Authorization', `Bearer ${res.body.token as string}`);
    expect(page.status).to.equal(200);
  });

  it('when renewal is asked without a token, with a forged one or with garbage, then it answers 401 and no token', async () => {
    const { accrue, lms } = harness();
    const { token } = await launch(accrue.url, lms.platform, learner());
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    for (const req of [
      request(accrue.url).post('/lti/session/renew'),
      request(accrue.url).post('/lti/session/renew').set('Authorization', `Bearer ${forged}`),
      request(accrue.url).post('/lti/session/renew').set('Authorization', 'Bearer not-a-token'),
    ]) {
      const res = await req.set('Accept', 'application/json');
      expect(res.status).to.equal(401);
      expect(res.body.error.code).to.equal('UNAUTHENTICATED');
      expect(res.body.token).to.equal(undefined);
    }
  });

  it('when the launch session itself has expired, then renewal is refused even with a token whose signature is still valid', async () => {
    const { accrue, lms } = harness();
    const { token } = await launch(accrue.url, lms.platform, learner());
    await accrue.accrue.db.query(`UPDATE lti_session SET expires_at = now() - interval '1 second' WHERE id = $1`, [decodeJwt(token).sid]);
    const res = await request(accrue.url).post('/lti/session/renew').set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
    expect(res.status).to.equal(401);
  });

  it('when a page is served with a session, then it carries its renewed token for the renewal script, and pages without a session do not', async () => {
    const { accrue, lms } = harness();
    const { token } = await launch(accrue.url, lms.platform, learner());
    const page = await request(accrue.url).get(`/learner?s=${token}`);
    const meta = /<meta name="accrue-session" content="([^"]+)">/.exec(page.text);
    expect(meta, 'session meta').to.not.equal(null);
    expect(decodeJwt(meta![1]!).sid).to.equal(decodeJwt(token).sid);
    expect(page.text).to.contain('<script src="/static/session.js" defer></script>');
    const script = await request(accrue.url).get('/static/session.js');
    expect(script.status).to.equal(200);
    expect(script.text).to.contain('/lti/session/renew');
    const refusal = await request(accrue.url).get('/learner');
    expect(refusal.text).to.not.contain('accrue-session').and.not.contain('session.js');
  });

  describe('logs', () => {
    let instance: RunningServer;
    let platform: TestPlatform;
    const lines: string[] = [];
    before(async function () {
      this.timeout(60_000);
      instance = await startInstance({ log: createLogger({ level: 'debug', write: (line) => lines.push(line) }) });
      platform = await startPlatform(instance);
    });
    after(async () => {
      await platform?.close();
      await instance?.close();
    });

    it('when a learner launches (cookie and platform storage), opens pages with the token in the query and the header, renews it and tries forged ones, then no log line holds a token, an id_token, a state or a stored secret', async () => {
      const secrets: string[] = [];
      const first = await launch(instance.url, platform.platform, learner());
      expect(first.res.status).to.equal(303);
      secrets.push(first.token, first.login.state, first.login.nonce);
      const login = await startStorageLogin(instance.url, platform.platform, learner());
      const fields = await authorize(login);
      secrets.push(fields.id_token, login.state, login.nonce, ...login.stored.values());
      const page = await postWithoutCookie(instance.url, fields);
      const data = storageData(page.text);
      const viaStorage = await postStorageValues(instance.url, {
        ...hiddenFields(page.text), lti_storage_state: login.stored.get(data.stateKey!)!, lti_storage_nonce: login.stored.get(data.nonceKey!)!,
      });
      expect(viaStorage.status).to.equal(303);
      const token = new URL(viaStorage.headers.location!, instance.url).searchParams.get('s')!;
      secrets.push(token);
      const api = request(instance.url);
      expect((await api.get(`/learner?s=${encodeURIComponent(token)}`)).status).to.equal(200);
      expect((await api.get('/learner').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
      const renewed = await api.post('/lti/session/renew').set('Authorization', `Bearer ${token}`);
      secrets.push(renewed.body.token as string);
      expect((await api.get(`/admin?s=${encodeURIComponent(token)}`)).status).to.equal(403);
      expect((await api.get(`/learner?s=${encodeURIComponent(token)}x`)).status).to.equal(401);
      expect((await api.post('/lti/launch').type('form').send({ id_token: fields.id_token, state: login.state })).status).to.equal(401);

      const requestLines = lines.filter((l) => (JSON.parse(l) as { msg: string }).msg === 'request');
      expect(requestLines.length, 'the debug request log is on').to.be.greaterThan(8);
      expect(lines.some((l) => l.includes('request refused'))).to.equal(true);
      for (const secret of secrets) {
        // A JWT's signature alone is enough to tell whether it leaked.
        const needle = secret.includes('.') ? secret.split('.')[2]! : secret;
        const leaks = lines.filter((l) => l.includes(needle));
        expect(leaks, `a log line holds a secret: ${leaks[0]?.slice(0, 200)}`).to.deep.equal([]);
      }
    });
  });
});
