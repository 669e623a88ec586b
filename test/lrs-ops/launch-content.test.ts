/**
 * External content launched from the learner's content page (content of kind 'url'): the page's link carries the
 * xAPI launch parameters (endpoint, auth, actor, registration, activity_id) with a credential minted for that
 * learner and activity, and a TinCanJS (1.0.x) client and an @xapi/xapi (2.0.0) client configured from that link
 * store and read back statements and State in Accrue's LRS, where they sit beside Accrue's own statements of the
 * registration. Everything goes over HTTP, from the LTI launch on.
 */
import XAPI, { type Statement } from '@xapi/xapi';
import type { Versions } from '@xapi/xapi/dist/types/constants';
import { expect } from 'chai';
import request from 'supertest';
import { startServer, type RunningServer } from '../../src/main';
import { buildActivity, get, instructorIn, post as postForm } from '../helpers/cme';
import { testConfig } from '../helpers/db';
import { harness } from '../helpers/harness';
import { enrollmentOf, redirectOf, startPath } from '../helpers/learner-path';
import { credentialOn, mbox, statement, uid } from './helpers';

// TinCanJS expects a browser XMLHttpRequest; in Node it is the xhr2 module.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TinCan = require('tincanjs');

type Callback<T> = (err: unknown, value: T) => void;
interface TinCanClient {
  actor: { account?: { homePage: string; name: string }; name?: string };
  activity: { id: string };
  registration: string | null;
  sendStatement(s: object, cb: (results: { err: unknown; xhr: { status: number } }[], statement: { id: string }) => void): void;
  getStatement(id: string, cb: Callback<{ id: string; actor: { account: { name: string } }; target: { id: string }; context?: { registration?: string } } | null>): void;
  setState(key: string, value: unknown, cfg: { contentType?: string; callback: Callback<unknown> }): void;
  getState(key: string, cfg: { callback: Callback<{ contents: unknown } | null> }): void;
}

/** Handlebars escapes attribute values; the browser undoes it before following the link. */
const unescapeHtml = (s: string) =>
  s.replace(/&#x([0-9a-f]+);/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** A published activity whose content is an external package at a fresh origin, and a learner at its content step. */
async function learnerAtContent() {
  const contentOrigin = `https://content-${uid().slice(0, 8)}.example.org`;
  const { token: instructor } = await instructorIn();
  const id = await buildActivity(instructor, { content: { kind: 'url', url: `${contentOrigin}/sepsis/index.html?lang=en`, html: '' } });
  const l = await startPath(id);
  const next = redirectOf(await postForm('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
  const e = await enrollmentOf(id, l.sub);
  return { id, sub: l.sub, token: next.token, contentOrigin, registration: e.registration };
}

/** Opens the learner's content page (on `server`) and returns the activity's launch link as the browser follows it. */
async function launchLink(token: string, server: { url: string } = harness().accrue) {
  const page = await request(server.url).get(`/learner/content?s=${encodeURIComponent(token)}`);
  expect(page.status, page.text.slice(0, 300)).to.equal(200);
  const m = /<a class="button" href="([^"]+)" target="_blank"/.exec(page.text);
  expect(m, 'the content page links to the activity').to.not.equal(null);
  const url = new URL(unescapeHtml(m![1]!));
  const p = (k: string) => url.searchParams.get(k) ?? '';
  return { url, endpoint: p('endpoint'), auth: p('auth'), actor: JSON.parse(p('actor')) as Record<string, unknown>, registration: p('registration'), activityId: p('activity_id') };
}

const lrs = (auth: string, version = '1.0.3', base = harness().accrue.url) => ({
  post: (body: object) => request(base).post('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', version).send(body),
  get: (path: string) => request(base).get(`/xapi${path}`).set('Authorization', auth).set('X-Experience-API-Version', version),
  put: (path: string, body: object) => request(base).put(`/xapi${path}`).set('Authorization', auth).set('X-Experience-API-Version', version).send(body),
});

const stateUrl = (agent: object, activityId: string, registration?: string) =>
  `/activities/state?stateId=bookmark&agent=${encodeURIComponent(JSON.stringify(agent))}&activityId=${encodeURIComponent(activityId)}` +
  (registration ? `&registration=${registration}` : '');

/** Accrue's view of a registration: every statement in it, read with an `all` credential. */
async function statementsOf(registration: string) {
  const all = await credentialOn(harness().accrue);
  const res = await lrs(all, '2.0.0').get(`/statements?registration=${registration}&limit=100`);
  expect(res.status).to.equal(200);
  return res.body.statements as { id: string; actor: Record<string, unknown>; verb: { id: string }; object: { id: string }; authority: { account?: { name: string } } }[];
}

describe('External content reporting with its xAPI launch parameters', () => {
  it('when a learner opens the content page of an external activity, then its link carries the endpoint, a launch credential, the learner\'s account (not their name), the registration and the activity', async () => {
    const l = await learnerAtContent();
    const link = await launchLink(l.token);
    expect(link.url.origin + link.url.pathname).to.equal(`${l.contentOrigin}/sepsis/index.html`);
    expect(link.url.searchParams.get('lang')).to.equal('en');
    expect(link.endpoint).to.equal(`${harness().accrue.url}/xapi/`);
    expect(link.auth).to.match(/^Basic [A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(link.auth.slice(6), 'base64').toString()).to.match(/^launch-[\w-]+:[\w-]{40,}$/);
    expect(link.registration).to.equal(l.registration);
    expect(link.activityId).to.equal(`${harness().accrue.url}/activities/${l.id}`);
    // The third party gets only the IFI (the LMS account) by default (LRS_LAUNCH_ACTOR_NAME = false): the same
    // Agent as the actor of Accrue's own statements of this enrollment, which keep the learner's name.
    const account = { homePage: harness().lms.platform.options.issuer, name: l.sub };
    expect(link.actor).to.deep.equal({ objectType: 'Agent', account });
    expect([...link.url.searchParams.values()].join('\n'), 'the name is nowhere in the link').not.to.contain('Lee Learner');
    const own = await statementsOf(l.registration);
    expect(own.length).to.be.greaterThan(0);
    for (const s of own) expect(s.actor).to.deep.equal({ objectType: 'Agent', name: 'Lee Learner', account });
    // The credential was minted for that same actor: nothing of the name is kept with it either.
    const key = Buffer.from(link.auth.slice(6), 'base64').toString().split(':')[0]!;
    const stored = await harness().accrue.accrue.db.query<{ actor: Record<string, unknown> }>('SELECT actor FROM lrs_launch_credential WHERE key = $1', [key]);
    expect(stored.rows[0]!.actor).to.deep.equal({ objectType: 'Agent', account });
  });

  it('when the content page is opened again, then it carries a fresh credential and the earlier one still works until its expiry', async () => {
    const l = await learnerAtContent();
    const first = await launchLink(l.token);
    const second = await launchLink(l.token);
    expect(second.auth).to.not.equal(first.auth);
    for (const link of [first, second]) {
      const res = await lrs(link.auth).post(statement({ actor: link.actor, object: { objectType: 'Activity', id: link.activityId } }));
      expect(res.status).to.equal(200);
    }
  });

  it('when TinCanJS content is configured from its launch link, then it stores and reads back a statement and State, and Accrue sees the statement in the registration', async () => {
    const l = await learnerAtContent();
    const link = await launchLink(l.token);
    const tincan: TinCanClient = new TinCan({ url: link.url.toString() });
    expect(tincan.actor.account).to.include({ homePage: harness().lms.platform.options.issuer, name: l.sub });
    expect(tincan.registration).to.equal(l.registration);
    expect(tincan.activity.id).to.equal(link.activityId);

    const [results, sent] = await new Promise<[{ err: unknown; xhr: { status: number } }[], { id: string }]>((resolve) =>
      tincan.sendStatement({ verb: { id: 'http://adlnet.gov/expapi/verbs/progressed', display: { 'en-US': 'progressed' } }, result: { extensions: { 'http://example.org/x/page': 3 } } }, (r, s) => resolve([r, s])));
    expect(results[0]!.err, `status ${results[0]!.xhr?.status} ${(results[0]!.xhr as { responseText?: string })?.responseText}`).to.equal(null);
    const [err, read] = await new Promise<[unknown, Parameters<Parameters<TinCanClient['getStatement']>[1]>[1]]>((resolve) => tincan.getStatement(sent.id, (e, s) => resolve([e, s])));
    expect(err).to.equal(null);
    expect(read!.target.id).to.equal(link.activityId);
    expect(read!.actor.account.name).to.equal(l.sub);
    expect(read!.context!.registration).to.equal(l.registration);

    const saveErr = await new Promise((resolve) => tincan.setState('bookmark', { page: 3 }, { contentType: 'application/json', callback: (e) => resolve(e) }));
    expect(saveErr).to.equal(null);
    const [getErr, state] = await new Promise<[unknown, { contents: unknown } | null]>((resolve) => tincan.getState('bookmark', { callback: (e, s) => resolve([e, s]) }));
    expect(getErr).to.equal(null);
    expect(state!.contents).to.deep.equal({ page: 3 });

    const inRegistration = await statementsOf(l.registration);
    const verbs = inRegistration.map((s) => s.verb.id);
    expect(verbs).to.include('http://adlnet.gov/expapi/verbs/progressed').and.include('http://adlnet.gov/expapi/verbs/launched');
    const content = inRegistration.find((s) => s.id === sent.id)!;
    const launched = inRegistration.find((s) => s.verb.id === 'http://adlnet.gov/expapi/verbs/launched')!;
    // The same learner (IFI); the content's actor has no name, Accrue's keeps it.
    expect(content.actor).to.deep.equal({ objectType: 'Agent', account: (launched.actor as { account: unknown }).account });
    expect(launched.actor.name).to.equal('Lee Learner');
    expect(content.object.id).to.equal(launched.object.id);
    expect(content.authority.account!.name).to.match(/^launch-/);
  });

  it('when @xapi/xapi content (xAPI 2.0.0) reads its launch link, then it stores and reads back a statement and State, and Accrue sees the statement in the registration', async () => {
    const l = await learnerAtContent();
    const link = await launchLink(l.token);
    const params = XAPI.getSearchQueryParamsAsObject(link.url.toString()) as { endpoint: string; auth: string; actor: Statement['actor']; registration: string; activity_id: string };
    const xapi = new XAPI({ endpoint: params.endpoint, auth: params.auth, adapter: 'fetch', version: '2.0.0' as unknown as Versions });
    const id = uid();
    const sent = await xapi.sendStatement({
      statement: {
        id, actor: params.actor, verb: { id: 'http://adlnet.gov/expapi/verbs/answered', display: { 'en-US': 'answered' } },
        object: { objectType: 'Activity', id: `${params.activity_id}/q/lactate` },
        result: { success: true, response: 'b' },
        context: { registration: params.registration, contextActivities: { parent: [{ objectType: 'Activity', id: params.activity_id }] } },
      },
    });
    expect(sent.data).to.deep.equal([id]);
    const got = await xapi.getStatement({ statementId: id });
    expect(got.data.version).to.equal('2.0.0');
    expect(got.data.context?.registration).to.equal(l.registration);

    const agent = params.actor as Parameters<XAPI['setState']>[0]['agent'];
    await xapi.setState({ agent, activityId: params.activity_id, registration: params.registration, stateId: 'suspend', state: { question: 'lactate' } });
    const state = await xapi.getState({ agent, activityId: params.activity_id, registration: params.registration, stateId: 'suspend' });
    expect(state.data).to.deep.equal({ question: 'lactate' });

    expect((await statementsOf(l.registration)).map((s) => s.id)).to.include(id);
  });

  it('when content uses its credential for another actor, another activity, or another learner\'s or activity\'s State, then the LRS refuses with 403 and stores nothing; only the content URL\'s own parameters pass as extras', async () => {
    const l = await learnerAtContent();
    const link = await launchLink(l.token);
    const other = { objectType: 'Agent', account: { homePage: harness().lms.platform.options.issuer, name: `${l.sub}-classmate` } };
    const ofOther = statement({ actor: other, object: { objectType: 'Activity', id: link.activityId } });
    const forOther = await lrs(link.auth).post(ofOther);
    expect(forOther.status).to.equal(403);
    expect(forOther.body.error.message).to.match(/actor is the launched learner/);
    const otherActivity = `${harness().accrue.url}/activities/${uid()}`;
    const aboutOther = statement({ actor: link.actor, object: { objectType: 'Activity', id: otherActivity } });
    expect((await lrs(link.auth).post(aboutOther)).status).to.equal(403);
    const all = await credentialOn(harness().accrue);
    for (const s of [ofOther, aboutOther]) expect((await lrs(all).get(`/statements?statementId=${s.id}`)).status, s.id).to.equal(404);

    expect((await lrs(link.auth).put(stateUrl(link.actor, link.activityId, l.registration), { page: 1 })).status).to.equal(204);
    expect((await lrs(link.auth).put(stateUrl(link.actor, otherActivity, l.registration), { page: 1 })).status).to.equal(403);
    expect((await lrs(link.auth).get(stateUrl(link.actor, otherActivity))).status).to.equal(403);
    expect((await lrs(link.auth).get(stateUrl(other, link.activityId, l.registration))).status).to.equal(403);
    expect((await lrs(link.auth).put(stateUrl({ mbox: mbox() }, link.activityId), { page: 1 })).status).to.equal(403);

    // The content URL's own parameter (?lang=en, which TinCanJS passes on) is ignored; any other stays unknown (400).
    expect((await lrs(link.auth).get(`${stateUrl(link.actor, link.activityId, l.registration)}&lang=en`)).status).to.equal(200);
    expect((await lrs(link.auth).get(`${stateUrl(link.actor, link.activityId, l.registration)}&lang=fr`)).status).to.equal(400);
    expect((await lrs(link.auth).get(`${stateUrl(link.actor, link.activityId, l.registration)}&page=2`)).status).to.equal(400);
    expect((await lrs(all).get(`${stateUrl(link.actor, link.activityId, l.registration)}&lang=en`)).status, 'only for the launch credential').to.equal(400);

    // Through a client library the refusal reads the same (@xapi/xapi's fetch adapter throws the error body).
    const xapi = new XAPI({ endpoint: link.endpoint, auth: link.auth, adapter: 'fetch' });
    const refused = await xapi.setState({ agent: link.actor as Parameters<XAPI['setState']>[0]['agent'], activityId: otherActivity, stateId: 's', state: {} }).then(() => null, (e: Error) => e.message);
    expect(refused).to.match(/XAPI_LAUNCH_SCOPE/);
  });

  it('when content in the browser calls the LRS from its origin, then a preflight is answered only for the origin of content with a live launch credential', async () => {
    const l = await learnerAtContent();
    const preflight = (origin: string) => request(harness().accrue.url).options('/xapi/statements')
      .set('Origin', origin).set('Access-Control-Request-Method', 'POST').set('Access-Control-Request-Headers', 'authorization, content-type, x-experience-api-version');
    const before = await preflight(l.contentOrigin);
    expect(before.status, 'no launch for this origin yet').to.equal(403);
    await launchLink(l.token);
    const after = await preflight(l.contentOrigin);
    expect(after.status).to.equal(204);
    expect(after.headers['access-control-allow-origin']).to.equal(l.contentOrigin);
    expect(after.headers['access-control-allow-headers']).to.match(/Authorization/).and.match(/X-Experience-API-Version/);
    expect(after.headers['access-control-allow-credentials']).to.equal(undefined);
    expect(after.headers['access-control-max-age']).to.equal('600');
    const elsewhere = await preflight(`https://other-${uid().slice(0, 8)}.example.org`);
    expect(elsewhere.status).to.equal(403);
    expect(elsewhere.headers['access-control-allow-origin']).to.equal(undefined);
    // CORS is for the LRS only: the content's origin gets nothing from Accrue's own pages.
    const page = await request(harness().accrue.url).options('/learner/content').set('Origin', l.contentOrigin).set('Access-Control-Request-Method', 'GET');
    expect(page.status).to.equal(403);
  });

  describe('with the learner\'s name in the launch link (LRS_LAUNCH_ACTOR_NAME=true)', () => {
    let named: RunningServer;
    before(async () => {
      named = await startServer({ config: testConfig({ publicUrl: 'http://127.0.0.1:0', sandbox: false, lrsLaunchActorName: true }), db: harness().accrue.accrue.db, host: '127.0.0.1' });
    });
    after(async () => named?.close());

    it('when the learner opens the content page, then the link\'s actor is the Agent of Accrue\'s statements, name included, and the content may store with it', async () => {
      const l = await learnerAtContent();
      const link = await launchLink(l.token, named);
      const account = { homePage: harness().lms.platform.options.issuer, name: l.sub };
      expect(link.actor).to.deep.equal({ objectType: 'Agent', name: 'Lee Learner', account });
      for (const s of await statementsOf(l.registration)) expect(s.actor).to.deep.equal(link.actor);
      const stored = await lrs(link.auth, '1.0.3', named.url).post(statement({ actor: link.actor, object: { objectType: 'Activity', id: link.activityId } }));
      expect(stored.status).to.equal(200);
    });
  });

  describe('with a launch credential lifetime of 2 seconds (LRS_LAUNCH_TTL_SECONDS)', () => {
    let short: RunningServer;
    before(async () => {
      // A second instance on the same database and secret: the learner's session works on it too.
      short = await startServer({ config: testConfig({ publicUrl: 'http://127.0.0.1:0', sandbox: false, lrsLaunchTtlSeconds: 2 }), db: harness().accrue.accrue.db, host: '127.0.0.1' });
    });
    after(async () => short?.close());

    it('when the credential has expired, then the LRS answers 401 where it answered before, and the content origin no longer passes CORS', async () => {
      const l = await learnerAtContent();
      const link = await launchLink(l.token, short);
      expect(link.endpoint).to.equal(`${short.url}/xapi/`);
      const key = Buffer.from(link.auth.slice(6), 'base64').toString().split(':')[0]!;
      const { rows } = await short.accrue.db.query<{ lifetime: number; expires_at: Date }>(
        'SELECT extract(epoch FROM expires_at - created_at)::float8 AS lifetime, expires_at FROM lrs_launch_credential WHERE key = $1', [key]);
      expect(rows[0]!.lifetime).to.be.closeTo(2, 0.5);
      const s = () => statement({ actor: link.actor, object: { objectType: 'Activity', id: link.activityId } });
      expect((await lrs(link.auth, '1.0.3', short.url).post(s())).status).to.equal(200);
      await new Promise((r) => setTimeout(r, Math.max(0, rows[0]!.expires_at.getTime() - Date.now()) + 150));
      const late = await lrs(link.auth, '1.0.3', short.url).post(s());
      expect(late.status).to.equal(401);
      const state = await lrs(link.auth, '1.0.3', short.url).get(stateUrl(link.actor, link.activityId));
      expect(state.status).to.equal(401);
      const preflight = await request(short.url).options('/xapi/statements').set('Origin', l.contentOrigin).set('Access-Control-Request-Method', 'POST');
      expect(preflight.status).to.equal(403);
    });
  });
});
