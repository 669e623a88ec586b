/**
 * Launches without the state cookie, over real HTTP (lti-cs-oidc v0.1): through platform storage, and restarted in
 * a new window. The browser side (postMessage to the platform's frame) is tested in a real Chromium in
 * test/browser/third-party-cookies.test.ts; here the test plays the pages' part and tampers with one value at a time.
 *
 * What the server can and cannot check about the messages' origins:
 * - It never sees a postMessage. Their origins are checked in browsers: the tool's pages address platform storage
 *   with the platform's OIDC authorization origin as targetOrigin (the browser drops a message for any other
 *   origin, so a page of another site framing Accrue never receives the secrets) and accept an answer only from that
 *   origin, from the frame they asked, with their message_id; the platform answers only the tool's origin and keeps
 *   each origin's data apart.
 * - It checks what reaches it: the two values read back must be the secrets this login put in storage (their sha256
 *   is in the single-use login row; the public state or nonce is not enough), for a login that asked for platform
 *   storage; the state is then taken once; the id_token's nonce must be that login's; and the post, when it names
 *   its Origin (every current browser does for a POST), must come from Accrue's own origin.
 */
import { expect } from 'chai';
import request from 'supertest';
import { harness } from '../helpers/harness';
import { hiddenFields, postStorageValues, postWithoutCookie, startStorageLogin, storageData, type StorageLogin } from '../helpers/client-storage';
import { authorize, learner, postLaunch, startLogin } from '../helpers/launch';
import { expectRefusal, sessionCount } from '../helpers/refusal';

/** The platform's id_token answer, posted without a cookie: Accrue's launch page, with what it asks platform storage. */
async function launchPage(login: StorageLogin) {
  const { accrue } = harness();
  const fields = await authorize(login);
  const res = await postWithoutCookie(accrue.url, fields);
  expect(res.status, res.text.slice(0, 300)).to.equal(200);
  return { res, fields, data: storageData(res.text), form: hiddenFields(res.text) };
}

/** What the launch page posts after reading both keys from platform storage (`stored`, as the login put them). */
function readBack(login: StorageLogin, form: Record<string, string>, data: Record<string, string>) {
  return { ...form, lti_storage_state: login.stored.get(data.stateKey!) ?? '', lti_storage_nonce: login.stored.get(data.nonceKey!) ?? '' };
}

describe('LTI launch through platform storage (no state cookie)', () => {
  it('when login initiation carries lti_storage_target, then a private page stores two secrets under state_<state> and nonce_<nonce> for the platform origin, and the cookie is still set', async () => {
    const { accrue, lms } = harness();
    const login = await startStorageLogin(accrue.url, lms.platform, learner());
    expect(login.headers['cache-control']).to.equal('no-store');
    expect(login.headers['referrer-policy']).to.equal('same-origin');
    expect(login.page.target).to.equal('lti_storage_frame');
    expect(login.page.platformOrigin).to.equal(new URL(lms.platform.authEndpoint).origin);
    expect(login.page.stateKey).to.equal(`state_${login.state}`);
    expect(login.page.nonceKey).to.equal(`nonce_${login.nonce}`);
    // The values are secrets of their own: neither the public state/nonce nor anything the platform is sent.
    for (const secret of [login.page.stateValue!, login.page.nonceValue!]) {
      expect(secret).to.match(/^[A-Za-z0-9_-]{43}$/);
      expect(secret).to.not.equal(login.state).and.not.equal(login.nonce);
      expect(login.authUrl.toString()).to.not.contain(secret);
    }
    expect(login.page.stateValue).to.not.equal(login.page.nonceValue);
    expect(login.setCookie.some((c) => c.startsWith(`lti_login_${login.state.slice(0, 20)}=`))).to.equal(true);
    expect(login.authUrl.origin + login.authUrl.pathname).to.equal(lms.platform.authEndpoint);
  });

  it('when the id_token arrives without the cookie for such a login, then Accrue answers the page that reads platform storage, and creates no session yet', async () => {
    const { lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(harness().accrue.url, lms.platform, scenario, 'parent');
    const { res, fields, data, form } = await launchPage(login);
    expect(res.headers['cache-control']).to.equal('no-store');
    expect(data).to.include({ mode: 'get', target: '_parent', platformOrigin: new URL(lms.platform.authEndpoint).origin, stateKey: `state_${login.state}`, nonceKey: `nonce_${login.nonce}` });
    expect(form).to.include({ id_token: fields.id_token, state: login.state, lti_storage_state: '', lti_storage_nonce: '' });
    expect(res.text).to.not.contain(login.page.stateValue).and.not.contain(login.page.nonceValue);
    expect(res.text).to.contain('action="/lti/relaunch"');
    expect(await sessionCount(scenario.sub)).to.equal(0);
  });

  it('when the launch page posts the two values read back from platform storage, then the launch is accepted', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const { form, data } = await launchPage(login);
    const res = await postStorageValues(accrue.url, readBack(login, form, data));
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(res.headers.location).to.match(/^\/learner\?s=/);
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when the platform-storage post is replayed, then it is refused as UNKNOWN_STATE and creates no second session', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const { form, data } = await launchPage(login);
    expect((await postStorageValues(accrue.url, readBack(login, form, data))).status).to.equal(303);
    await expectRefusal(await postStorageValues(accrue.url, readBack(login, form, data)), { status: 401, code: 'UNKNOWN_STATE' });
    // Nor does a cookieless re-post of the used state get a launch page again.
    await expectRefusal(await postWithoutCookie(accrue.url, { id_token: form.id_token!, state: form.state! }), { status: 401, code: 'UNKNOWN_STATE' });
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when a used id_token is replayed with a fresh platform-storage login\'s state and values, then it is refused as NONCE_MISMATCH', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const first = await startStorageLogin(accrue.url, lms.platform, scenario);
    const used = await launchPage(first);
    expect((await postStorageValues(accrue.url, readBack(first, used.form, used.data))).status).to.equal(303);
    const second = await startStorageLogin(accrue.url, lms.platform, scenario);
    const res = await postStorageValues(accrue.url, {
      id_token: used.form.id_token!, state: second.state,
      lti_storage_state: second.stored.get(`state_${second.state}`)!, lti_storage_nonce: second.stored.get(`nonce_${second.nonce}`)!,
    });
    await expectRefusal(res, { status: 400, code: 'NONCE_MISMATCH' });
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when a retrieved value is wrong (the public state or nonce, another login\'s secret, the two swapped), then it is refused as STATE_MISMATCH and the rightful page can still launch', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const other = await startStorageLogin(accrue.url, lms.platform, learner());
    const { form, data } = await launchPage(login);
    const right = readBack(login, form, data);
    const wrong = [
      { lti_storage_state: login.state },
      { lti_storage_nonce: login.nonce },
      { lti_storage_state: other.page.stateValue! },
      { lti_storage_nonce: other.page.nonceValue! },
      { lti_storage_state: right.lti_storage_nonce, lti_storage_nonce: right.lti_storage_state },
    ];
    for (const change of wrong) {
      await expectRefusal(await postStorageValues(accrue.url, { ...right, ...change }), { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
    }
    const honest = await postStorageValues(accrue.url, right);
    expect(honest.status, honest.text.slice(0, 300)).to.equal(303);
  });

  it('when a retrieved value is missing or empty (the platform had nothing), then it is refused as MISSING_STORAGE_VALUES', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const { form, data } = await launchPage(login);
    const right = readBack(login, form, data);
    for (const change of [{ lti_storage_state: '' }, { lti_storage_nonce: '' }]) {
      await expectRefusal(await postStorageValues(accrue.url, { ...right, ...change }), { status: 400, code: 'MISSING_STORAGE_VALUES', sub: scenario.sub });
    }
    const { lti_storage_nonce: _dropped, ...withoutNonce } = right;
    await expectRefusal(await postStorageValues(accrue.url, withoutNonce), { status: 400, code: 'MISSING_STORAGE_VALUES', sub: scenario.sub });
    expect((await postStorageValues(accrue.url, right)).status).to.equal(303);
  });

  it('when storage values are posted for a login that never asked for platform storage, then it is refused as STATE_MISMATCH even with the cookie\'s value', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    const cookie = (await login.agent.jar.getCookie(`lti_login_${login.state.slice(0, 20)}`, { domain: '127.0.0.1', path: '/lti/launch', script: false, secure: false }))?.value;
    expect(cookie, 'the login cookie').to.be.a('string');
    const res = await postStorageValues(accrue.url, { ...fields, lti_storage_state: cookie!, lti_storage_nonce: cookie! });
    await expectRefusal(res, { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
    expect((await postLaunch(login, fields)).status).to.equal(303);
  });

  it('when the values are posted from another site (Origin), then it is refused as FOREIGN_ORIGIN and the state is left for the launch page', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const { form, data } = await launchPage(login);
    for (const origin of ['https://evil.example', 'null', new URL(lms.url).origin]) {
      await expectRefusal(await postStorageValues(accrue.url, readBack(login, form, data), { origin }), { status: 403, code: 'FOREIGN_ORIGIN', sub: scenario.sub });
    }
    expect((await postStorageValues(accrue.url, readBack(login, form, data))).status).to.equal(303);
  });

  it('when the browser does keep the cookie of a platform-storage login, then the cookie completes the launch directly', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startStorageLogin(accrue.url, lms.platform, scenario);
    const res = await postLaunch(login, await authorize(login));
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });
});

describe('LTI launch restarted in a new window (no cookie, no platform storage)', () => {
  it('when the id_token arrives without the cookie and the platform offers no storage, then the refusal offers a new window for this login', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const res = await postWithoutCookie(accrue.url, await authorize(login));
    await expectRefusal(res, { status: 401, code: 'STATE_MISMATCH', sub: scenario.sub });
    expect(res.text).to.match(/<form method="post" action="\/lti\/relaunch" target="_blank">/);
    expect(hiddenFields(res.text)).to.deep.equal({ state: login.state });
    expect(res.text).to.contain('Open Accrue in a new window');
  });

  it('when the new window posts the offer, then a fresh first-party login starts (new state, nonce and cookie) and completes with that cookie', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    await postWithoutCookie(accrue.url, await authorize(login));
    const window = request.agent(accrue.url);
    const restart = await window.post('/lti/relaunch').type('form').send({ state: login.state });
    expect(restart.status, restart.text.slice(0, 300)).to.equal(303);
    const authUrl = new URL(restart.headers.location!);
    expect(authUrl.origin + authUrl.pathname).to.equal(lms.platform.authEndpoint);
    const state = authUrl.searchParams.get('state')!;
    const nonce = authUrl.searchParams.get('nonce')!;
    expect(state).to.not.equal(login.state);
    expect(nonce).to.not.equal(login.nonce);
    // The same login, as the platform asked for it: its login_hint and lti_message_hint go back unchanged.
    expect(authUrl.searchParams.get('login_hint')).to.equal(login.authUrl.searchParams.get('login_hint'));
    expect(authUrl.searchParams.get('lti_message_hint')).to.equal(login.authUrl.searchParams.get('lti_message_hint'));
    expect((restart.headers['set-cookie'] as unknown as string[]).some((c) => c.startsWith(`lti_login_${state.slice(0, 20)}=`))).to.equal(true);
    const fields = await authorize({ agent: window, state, nonce, authUrl });
    const done = await window.post('/lti/launch').type('form').send(fields);
    expect(done.status, done.text.slice(0, 300)).to.equal(303);
    expect(done.headers.location).to.match(/^\/learner\?s=/);
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });

  it('when the offer names an unknown, malformed or expired login, then it is refused (UNKNOWN_STATE, STATE_EXPIRED) and no login starts', async () => {
    const { accrue, lms } = harness();
    for (const state of ['Zm9yZ2VkLXN0YXRlLW5ldmVyLWlzc3VlZA', 'not a state', '']) {
      const res = await request(accrue.url).post('/lti/relaunch').type('form').send({ state });
      await expectRefusal(res, { status: 401, code: 'UNKNOWN_STATE' });
      expect(res.headers['set-cookie']).to.equal(undefined);
    }
    const login = await startLogin(accrue.url, lms.platform, learner());
    await accrue.accrue.db.query(`UPDATE lti_login_state SET expires_at = now() - interval '1 second' WHERE state = $1`, [login.state]);
    await expectRefusal(await request(accrue.url).post('/lti/relaunch').type('form').send({ state: login.state }), { status: 401, code: 'STATE_EXPIRED' });
  });

  it('when the offer is taken, then the pending login is not consumed: it restarts, it does not launch anyone', async () => {
    const { accrue, lms } = harness();
    const scenario = learner();
    const login = await startLogin(accrue.url, lms.platform, scenario);
    const fields = await authorize(login);
    expect((await request(accrue.url).post('/lti/relaunch').type('form').send({ state: login.state })).status).to.equal(303);
    expect(await sessionCount(scenario.sub)).to.equal(0);
    // The original browser, cookie in hand, still completes its own login.
    expect((await postLaunch(login, fields)).status).to.equal(303);
  });
});
