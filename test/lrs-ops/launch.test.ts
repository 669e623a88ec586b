/**
 * Launch credentials: content launched by Accrue gets the xAPI launch parameters (endpoint, auth, actor,
 * registration, activity_id) and uses them with TinCanJS 0.50.0, as packaged content does from its launch URL.
 * The credential writes only for that learner and activity, reads only its own statements, uses State only for that
 * learner and activity, and stops at its expiry. Everything goes over HTTP to the suite's Accrue.
 */
import { expect } from 'chai';
import request from 'supertest';
import { xapiLaunchUrl } from '../../src/learning';
import { harness } from '../helpers/harness';
import { credentialOn, mbox, post, statement, uid } from './helpers';

// TinCanJS expects a browser XMLHttpRequest; in Node it is the xhr2 module.
(globalThis as { XMLHttpRequest?: unknown }).XMLHttpRequest = require('xhr2');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const TinCan = require('tincanjs');

type Callback<T> = (err: unknown, value: T) => void;
interface TinCanClient {
  actor: { mbox?: string };
  registration: string | null;
  sendStatement(s: object, cb: (results: { err: unknown; xhr: { status: number } }[], statement: { id: string }) => void): void;
  getStatement(id: string, cb: Callback<{ id: string; verb: { id: string }; target: { id: string }; context?: { registration?: string } } | null>): void;
  setState(key: string, value: unknown, cfg: { contentType?: string; callback: Callback<unknown> }): void;
  getState(key: string, cfg: { callback: Callback<{ contents: unknown } | null> }): void;
}

const courseIri = () => `http://example.org/courses/${uid()}`;

async function issue(o: { actor?: Record<string, unknown>; activityId?: string; ttlSeconds?: number } = {}) {
  const actor = o.actor ?? { objectType: 'Agent', name: 'Lee Learner', mbox: mbox() };
  const activityId = o.activityId ?? courseIri();
  const registration = uid();
  const issued = await harness().accrue.accrue.lrs.launchCredentials.issue({ actor, activityId, registration, ttlSeconds: o.ttlSeconds ?? 600 });
  return { issued, actor, activityId, registration };
}

/** The launch URL a TinCanJS package would be opened with. */
const launchUrl = (issued: Awaited<ReturnType<typeof issue>>) =>
  xapiLaunchUrl('https://content.example.org/index.html', { actor: issued.issued.actor as Record<string, unknown>, registration: issued.registration, activityIri: issued.activityId }, issued.issued);

const xapi = (auth: string, version = '1.0.3') => ({
  post: (body: object) => request(harness().accrue.url).post('/xapi/statements').set('Authorization', auth).set('X-Experience-API-Version', version).send(body),
  get: (path: string) => request(harness().accrue.url).get(`/xapi${path}`).set('Authorization', auth).set('X-Experience-API-Version', version),
  put: (path: string, body: object) => request(harness().accrue.url).put(`/xapi${path}`).set('Authorization', auth).set('X-Experience-API-Version', version).send(body),
});

describe('LRS launch credentials', () => {
  it('when content configured by TinCanJS from its launch URL sends a statement and state, then it reads both back', async () => {
    const launch = await issue();
    expect(launch.issued.endpoint).to.equal(`${harness().accrue.url}/xapi/`);
    expect(launch.issued.auth).to.match(/^Basic /);
    const tincan: TinCanClient = new TinCan({ url: launchUrl(launch) });
    expect(tincan.actor.mbox).to.equal(launch.actor.mbox);
    expect(tincan.registration).to.equal(launch.registration);

    const [results, sent] = await new Promise<[{ err: unknown; xhr: { status: number } }[], { id: string }]>((resolve) =>
      tincan.sendStatement({ verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } } }, (r, s) => resolve([r, s])));
    expect(results[0]!.err, `status ${results[0]!.xhr?.status}`).to.equal(null);
    const [err, read] = await new Promise<[unknown, Parameters<Parameters<TinCanClient['getStatement']>[1]>[1]]>((resolve) =>
      tincan.getStatement(sent.id, (e, s) => resolve([e, s])));
    expect(err).to.equal(null);
    expect(read!.id).to.equal(sent.id);
    expect(read!.target.id).to.equal(launch.activityId);
    expect(read!.context!.registration).to.equal(launch.registration);

    const saveErr = await new Promise((resolve) => tincan.setState('bookmark', { page: 7 }, { contentType: 'application/json', callback: (e) => resolve(e) }));
    expect(saveErr).to.equal(null);
    const [getErr, state] = await new Promise<[unknown, { contents: unknown } | null]>((resolve) => tincan.getState('bookmark', { callback: (e, s) => resolve([e, s]) }));
    expect(getErr).to.equal(null);
    expect(state!.contents).to.deep.equal({ page: 7 });
  });

  it('when a launch credential stores statements under its activity (object or context activity), then they are accepted', async () => {
    const { issued, actor, activityId } = await issue();
    const res = await xapi(issued.auth).post([
      statement({ actor, object: { objectType: 'Activity', id: `${activityId}/module-2` } }),
      statement({ actor, verb: 'http://adlnet.gov/expapi/verbs/answered', object: { objectType: 'Activity', id: 'http://example.org/questions/q1' }, context: { contextActivities: { parent: [{ id: activityId }] } } }),
    ]);
    expect(res.status).to.equal(200);
  });

  it('when a launch credential stores a statement for another actor, then it is refused with 403 and nothing is stored', async () => {
    const { issued, activityId } = await issue();
    const s = statement({ actor: { objectType: 'Agent', mbox: mbox() }, object: { objectType: 'Activity', id: activityId } });
    const res = await xapi(issued.auth).post(s);
    expect(res.status).to.equal(403);
    expect(res.body.error.message).to.match(/actor is the launched learner/);
    const all = await credentialOn(harness().accrue);
    expect((await xapi(all).get(`/statements?statementId=${s.id}`)).status).to.equal(404);
  });

  it('when a launch credential stores a statement about another activity, or one that merely shares a prefix, then it is refused with 403', async () => {
    const { issued, actor, activityId } = await issue();
    for (const other of [courseIri(), `${activityId}-other`]) {
      const res = await xapi(issued.auth).post(statement({ actor, object: { objectType: 'Activity', id: other } }));
      expect(res.status, other).to.equal(403);
      expect(res.body.error.message).to.match(/launched activity/);
    }
  });

  it('when a launch credential tries to void a statement, then it is refused with 403', async () => {
    const { issued, actor, activityId } = await issue();
    const [id] = (await xapi(issued.auth).post(statement({ actor, object: { objectType: 'Activity', id: activityId } }))).body as string[];
    const res = await xapi(issued.auth).post({ actor, verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id }, context: { contextActivities: { parent: [{ id: activityId }] } } });
    expect(res.status).to.equal(403);
  });

  it('when a launch credential reads statements, then it sees only the ones it stored', async () => {
    const { issued, actor, activityId } = await issue();
    const all = await credentialOn(harness().accrue);
    const [others] = await post(harness().accrue, all, [statement({ actor, object: { objectType: 'Activity', id: activityId } })]);
    const [own] = (await xapi(issued.auth).post(statement({ actor, object: { objectType: 'Activity', id: activityId } }))).body as string[];
    expect((await xapi(issued.auth).get(`/statements?statementId=${others}`)).status).to.equal(404);
    const page = await xapi(issued.auth).get(`/statements?activity=${encodeURIComponent(activityId)}`);
    expect(page.status).to.equal(200);
    expect(page.body.statements.map((s: { id: string }) => s.id)).to.deep.equal([own]);
  });

  it('when a launch credential uses State of another agent or activity, or an Agent Profile, then it is refused with 403', async () => {
    const { issued, actor, activityId } = await issue();
    const state = (agent: object, activity: string) =>
      `/activities/state?stateId=s&agent=${encodeURIComponent(JSON.stringify(agent))}&activityId=${encodeURIComponent(activity)}`;
    expect((await xapi(issued.auth).put(state(actor, `${activityId}/m1`), { ok: true })).status).to.equal(204);
    expect((await xapi(issued.auth).put(state({ mbox: mbox() }, activityId), { ok: true })).status).to.equal(403);
    expect((await xapi(issued.auth).get(state(actor, courseIri()))).status).to.equal(403);
    expect((await xapi(issued.auth).get(`/agents/profile?profileId=p&agent=${encodeURIComponent(JSON.stringify(actor))}`)).status).to.equal(403);
  });

  it('when a launch credential has expired, then the LRS answers 401 even to a client it answered before', async () => {
    const { issued, actor, activityId } = await issue({ ttlSeconds: 1.2 });
    expect((await xapi(issued.auth).post(statement({ actor, object: { objectType: 'Activity', id: activityId } }))).status).to.equal(200);
    await new Promise((r) => setTimeout(r, Date.parse(issued.expiresAt) - Date.now() + 100));
    const res = await xapi(issued.auth).post(statement({ actor, object: { objectType: 'Activity', id: activityId } }));
    expect(res.status).to.equal(401);
  });

  it('when a launch is asked for with a bad actor or activity, then issue() refuses with a clear 400', async () => {
    const launch = harness().accrue.accrue.lrs.launchCredentials;
    for (const bad of [{ actor: { name: 'no ifi' }, activityId: courseIri() }, { actor: { mbox: mbox() }, activityId: 'not an iri' }]) {
      const err = await launch.issue(bad).catch((e: Error & { httpStatus?: number }) => e);
      expect((err as { httpStatus?: number }).httpStatus).to.equal(400);
    }
  });
});
