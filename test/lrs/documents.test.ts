/** State, Activity Profile and Agent Profile documents: storage, JSON merge, listing, ETag concurrency. */
import { expect } from 'chai';
import { activityId, credential, lrs, mbox, q, uid, type TestCredential } from './helpers';

describe('LRS documents', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });
  const stateParams = () => ({ activityId: activityId(), agent: { objectType: 'Agent', mbox: mbox() }, stateId: uid() });

  describe('XAPI-00190 XAPI-00188 XAPI-00189 XAPI-00187 State Resource', () => {
    it('when a state is PUT, then GET returns it with its content type, a quoted ETag and Last-Modified', async () => {
      const p = stateParams();
      await lrs(cred).put(`/activities/state${q(p)}`).set('Content-Type', 'text/plain').send('bookmark: page 4').expect(204);
      const res = await lrs(cred).get(`/activities/state${q(p)}`).expect(200);
      expect(res.text).to.equal('bookmark: page 4');
      expect(res.headers['content-type']).to.match(/^text\/plain/);
      expect(res.headers.etag).to.match(/^"[0-9a-f]{40}"$/);
      expect(Date.parse(res.headers['last-modified']!)).to.be.a('number').and.not.NaN;
    });

    it('XAPI-00279 when JSON is POSTed over a JSON state, then top-level properties merge (new ones win)', async () => {
      const p = stateParams();
      await lrs(cred).post(`/activities/state${q(p)}`).send({ a: 1, nested: { x: 1 } }).expect(204);
      await lrs(cred).post(`/activities/state${q(p)}`).send({ b: 2, nested: { y: 2 } }).expect(204);
      const res = await lrs(cred).get(`/activities/state${q(p)}`).expect(200);
      expect(res.body).to.deep.equal({ a: 1, b: 2, nested: { y: 2 } });
    });

    it('XAPI-00229 when POST would merge with a non-JSON document, then 400 and nothing changes', async () => {
      const p = stateParams();
      await lrs(cred).put(`/activities/state${q(p)}`).set('Content-Type', 'text/plain').send('plain').expect(204);
      await lrs(cred).post(`/activities/state${q(p)}`).send({ a: 1 }).expect(400);
      expect((await lrs(cred).get(`/activities/state${q(p)}`).expect(200)).text).to.equal('plain');
      const q2 = stateParams();
      await lrs(cred).post(`/activities/state${q(q2)}`).set('Content-Type', 'application/json').send('[1,2]').expect(400);
    });

    it('XAPI-00193 XAPI-00195 XAPI-00194 when states are listed and deleted, then ids (with since), registration and DELETE all work', async () => {
      const base = { activityId: activityId(), agent: { mbox: mbox() } };
      const registration = uid();
      await lrs(cred).put(`/activities/state${q({ ...base, stateId: 'a' })}`).send({ n: 1 }).expect(204);
      await lrs(cred).put(`/activities/state${q({ ...base, stateId: 'b' })}`).send({ n: 2 }).expect(204);
      await lrs(cred).put(`/activities/state${q({ ...base, stateId: 'c', registration })}`).send({ n: 3 }).expect(204);
      expect((await lrs(cred).get(`/activities/state${q(base)}`).expect(200)).body).to.deep.equal(['a', 'b']);
      expect((await lrs(cred).get(`/activities/state${q({ ...base, registration })}`).expect(200)).body).to.deep.equal(['c']);
      const recent = await lrs(cred).get(`/activities/state${q({ ...base, since: new Date(Date.now() - 60_000).toISOString() })}`).expect(200);
      expect(recent.body).to.include.members(['a', 'b']);
      expect((await lrs(cred).get(`/activities/state${q({ ...base, since: new Date(Date.now() + 60_000).toISOString() })}`).expect(200)).body).to.deep.equal([]);
      await lrs(cred).delete(`/activities/state${q({ ...base, stateId: 'a' })}`).expect(204);
      await lrs(cred).get(`/activities/state${q({ ...base, stateId: 'a' })}`).expect(404);
      await lrs(cred).delete(`/activities/state${q(base)}`).expect(204);
      expect((await lrs(cred).get(`/activities/state${q(base)}`).expect(200)).body).to.deep.equal([]);
      expect((await lrs(cred).get(`/activities/state${q({ ...base, registration })}`).expect(200)).body).to.deep.equal(['c']);
    });

    it('XAPI-00197 XAPI-00201 XAPI-00208 XAPI-00213 when parameters are missing or malformed, then 400', async () => {
      const p = stateParams();
      await lrs(cred).get(`/activities/state${q({ ...p, agent: 'not json' })}`).expect(400);
      await lrs(cred).get(`/activities/state${q({ ...p, registration: 'nope' })}`).expect(400);
      await lrs(cred).get(`/activities/state${q({ agent: p.agent, stateId: p.stateId })}`).expect(400);
      await lrs(cred).get(`/activities/state${q({ activityId: p.activityId, stateId: p.stateId })}`).expect(400);
      await lrs(cred).put(`/activities/state${q({ activityId: p.activityId, agent: p.agent })}`).send({}).expect(400);
      await lrs(cred).get(`/activities/state${q({ ...p, since: 'soon' })}`).expect(400);
      await lrs(cred).get(`/activities/state${q({ ...p, colour: 'red' })}`).expect(400);
    });
  });

  describe('XAPI-00322 ETag concurrency', () => {
    for (const [name, path, params] of [
      ['State', '/activities/state', () => stateParams()],
      ['Activity Profile', '/activities/profile', () => ({ activityId: activityId(), profileId: uid() })],
      ['Agent Profile', '/agents/profile', () => ({ agent: { mbox: mbox() }, profileId: uid() })],
    ] as const) {
      it(`${name} (2.0.0): when If-Match is wrong 412, right 204; PUT without a precondition on an existing document 409`, async () => {
        const p = params();
        await lrs(cred).post(`${path}${q(p)}`).send({ v: 1 }).expect(204);
        const etag = (await lrs(cred).get(`${path}${q(p)}`).expect(200)).headers.etag!;
        await lrs(cred).put(`${path}${q(p)}`).set('If-Match', '"1234"').send({ v: 2 }).expect(412);
        await lrs(cred).post(`${path}${q(p)}`).set('If-Match', '"1234"').send({ v: 2 }).expect(412);
        await lrs(cred).delete(`${path}${q(p)}`).set('If-Match', '"1234"').expect(412);
        await lrs(cred).put(`${path}${q(p)}`).set('If-None-Match', '*').send({ v: 2 }).expect(412);
        const conflict = await lrs(cred).put(`${path}${q(p)}`).send({ v: 2 }).expect(409);
        expect(conflict.body.error.message).to.match(/If-Match/);
        expect((await lrs(cred).get(`${path}${q(p)}`).expect(200)).body).to.deep.equal({ v: 1 });
        await lrs(cred).put(`${path}${q(p)}`).set('If-Match', etag).send({ v: 3 }).expect(204);
        expect((await lrs(cred).get(`${path}${q(p)}`).expect(200)).body).to.deep.equal({ v: 3 });
        const etag3 = (await lrs(cred).get(`${path}${q(p)}`)).headers.etag!;
        await lrs(cred).delete(`${path}${q(p)}`).set('If-Match', etag3).expect(204);
        await lrs(cred).get(`${path}${q(p)}`).expect(404);
      });
    }

    it('Profiles (1.0.3): when a PUT has neither If-Match nor If-None-Match, then 400 for a new document, 409 for an existing one', async () => {
      const p = { activityId: activityId(), profileId: uid() };
      await lrs(cred, '1.0.3').put(`/activities/profile${q(p)}`).send({ v: 1 }).expect(400);
      await lrs(cred, '1.0.3').put(`/activities/profile${q(p)}`).set('If-None-Match', '*').send({ v: 1 }).expect(204);
      await lrs(cred, '1.0.3').put(`/activities/profile${q(p)}`).send({ v: 2 }).expect(409);
    });

    it('State (1.0.3): when a PUT overwrites without a precondition, then it is allowed', async () => {
      const p = stateParams();
      await lrs(cred, '1.0.3').put(`/activities/state${q(p)}`).send({ v: 1 }).expect(204);
      await lrs(cred, '1.0.3').put(`/activities/state${q(p)}`).send({ v: 2 }).expect(204);
      expect((await lrs(cred, '1.0.3').get(`/activities/state${q(p)}`).expect(200)).body).to.deep.equal({ v: 2 });
    });
  });

  describe('XAPI-00289 XAPI-00269 profile listings', () => {
    it('when profiles are stored for an activity and an agent, then GET without profileId lists their ids', async () => {
      const act = activityId();
      const agent = { mbox: mbox() };
      await lrs(cred).put(`/activities/profile${q({ activityId: act, profileId: 'p1' })}`).set('If-None-Match', '*').send({}).expect(204);
      await lrs(cred).put(`/agents/profile${q({ agent, profileId: 'q1' })}`).set('If-None-Match', '*').send({}).expect(204);
      expect((await lrs(cred).get(`/activities/profile${q({ activityId: act })}`).expect(200)).body).to.deep.equal(['p1']);
      expect((await lrs(cred).get(`/agents/profile${q({ agent })}`).expect(200)).body).to.deep.equal(['q1']);
      await lrs(cred).delete(`/activities/profile${q({ activityId: act })}`).expect(400);
    });
  });
});
