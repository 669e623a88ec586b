/** Reading statements: single, filters (agent, verb, activity, registration, related_*), time, order, paging, formats. */
import { expect } from 'chai';
import { activityId, credential, lrs, mbox, q, statement, uid, verbId, type TestCredential } from './helpers';

type S = Record<string, unknown> & { id: string };
const ids = (body: { statements: S[] }) => body.statements.map((s) => s.id);

describe('LRS statements: reading', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });
  const post = async (...list: Record<string, unknown>[]) => {
    await lrs(cred).post('/statements').send(list).expect(200);
  };

  describe('XAPI-00156 XAPI-00151 XAPI-00150 one statement', () => {
    it('when GET has statementId, then 200 with that statement; unknown id 404; other filters alongside 400', async () => {
      const s = statement();
      await post(s);
      const res = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(res.body.id).to.equal(s.id);
      expect(res.body.actor).to.deep.equal(s.actor);
      await lrs(cred).get(`/statements${q({ statementId: uid() })}`).expect(404);
      await lrs(cred).get(`/statements${q({ statementId: s.id, verb: 'http://example.org/v' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ voidedStatementId: s.id, limit: '1' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ statementId: s.id, format: 'ids', attachments: 'false' })}`).expect(200);
      await lrs(cred).get(`/statements${q({ statementId: 'not-a-uuid' })}`).expect(400);
    });

    it('XAPI-00125 when HEAD is sent, then it answers like GET without a body', async () => {
      const s = statement();
      await post(s);
      const res = await lrs(cred).head(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(res.text ?? '').to.equal('');
      expect(res.headers['x-experience-api-consistent-through']).to.be.a('string');
    });
  });

  describe('XAPI-00153 XAPI-00160 X-Experience-API-Consistent-Through', () => {
    it('when any statements GET answers (200, 400, 404), then the header is an ISO 8601 time', async () => {
      for (const [path, status] of [['/statements', 200], [`/statements${q({ statementId: uid() })}`, 404], [`/statements${q({ limit: 'x' })}`, 400]] as const) {
        const res = await lrs(cred).get(path).expect(status);
        expect(Number.isNaN(Date.parse(res.headers['x-experience-api-consistent-through']!))).to.equal(false);
      }
    });
  });

  describe('XAPI-00181 agent', () => {
    it('when filtering by agent, then statements where it is actor, object, or a member of a Group there match', async () => {
      const who = { mbox: mbox() };
      const asActor = statement({ actor: who });
      const asObject = statement({ object: { objectType: 'Agent', ...who } });
      const asMember = statement({ actor: { objectType: 'Group', member: [who, { mbox: mbox() }] } });
      const asInstructor = statement({ context: { instructor: who } });
      await post(asActor, asObject, asMember, asInstructor);
      const res = await lrs(cred).get(`/statements${q({ agent: who })}`).expect(200);
      expect(ids(res.body)).to.have.members([asActor.id, asObject.id, asMember.id]);
    });

    it('when the agent parameter is not an Agent, then 400', async () => {
      await lrs(cred).get(`/statements${q({ agent: { name: 'nobody' } })}`).expect(400);
      await lrs(cred).get('/statements?agent=not-json').expect(400);
    });
  });

  describe('XAPI-00176 related_agents', () => {
    it('when related_agents=true, then every agent position matches: authority, instructor, team, contextAgents, contextGroups, SubStatement', async () => {
      const who = { objectType: 'Agent', mbox: mbox() };
      const inTeam = statement({ context: { team: { objectType: 'Group', member: [who] } } });
      const asInstructor = statement({ context: { instructor: who } });
      const inContextAgents = statement({ context: { contextAgents: [{ objectType: 'contextAgent', agent: who, relevantTypes: ['http://example.org/types/coach'] }] } });
      const inContextGroups = statement({ context: { contextGroups: [{ objectType: 'contextGroup', group: { objectType: 'Group', member: [who] } }] } });
      const inSub = statement({ object: { objectType: 'SubStatement', actor: who, verb: { id: verbId() }, object: { id: activityId() } } });
      const unrelated = statement();
      await post(inTeam, asInstructor, inContextAgents, inContextGroups, inSub, unrelated);
      const res = await lrs(cred).get(`/statements${q({ agent: who, related_agents: 'true' })}`).expect(200);
      expect(ids(res.body)).to.have.members([inTeam.id, asInstructor.id, inContextAgents.id, inContextGroups.id, inSub.id]);
      const plain = await lrs(cred).get(`/statements${q({ agent: who })}`).expect(200);
      expect(ids(plain.body)).to.deep.equal([]);
    });

    it('when related_agents is used with the authority, then statements stored by that credential match', async () => {
      const other = await credential(['statements/write']);
      const s = statement();
      await lrs(other).post('/statements').send(s).expect(200);
      const authority = (await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200)).body.authority;
      const res = await lrs(cred).get(`/statements${q({ agent: { account: authority.account }, related_agents: 'true' })}`).expect(200);
      expect(ids(res.body)).to.deep.equal([s.id]);
    });
  });

  describe('XAPI-00180 XAPI-00179 XAPI-00177 XAPI-00178 verb, activity, related_activities, registration', () => {
    it('when filtering by verb and agent together, then only statements with both match', async () => {
      const who = { mbox: mbox() };
      const v = verbId();
      const both = statement({ actor: who, verb: { id: v } });
      const agentOnly = statement({ actor: who });
      const verbOnly = statement({ verb: { id: v } });
      await post(both, agentOnly, verbOnly);
      expect(ids((await lrs(cred).get(`/statements${q({ agent: who, verb: v })}`).expect(200)).body)).to.deep.equal([both.id]);
      expect(ids((await lrs(cred).get(`/statements${q({ verb: v })}`).expect(200)).body)).to.have.members([both.id, verbOnly.id]);
    });

    it('when filtering by activity, then only the object matches; related_activities adds context and SubStatement activities', async () => {
      const act = activityId();
      const asObject = statement({ object: { id: act } });
      const asParent = statement({ context: { contextActivities: { parent: [{ id: act }] } } });
      const asCategory = statement({ context: { contextActivities: { category: { id: act } } } });
      const inSub = statement({ object: { objectType: 'SubStatement', actor: { mbox: mbox() }, verb: { id: verbId() }, object: { id: act } } });
      await post(asObject, asParent, asCategory, inSub);
      expect(ids((await lrs(cred).get(`/statements${q({ activity: act })}`).expect(200)).body)).to.deep.equal([asObject.id]);
      const related = await lrs(cred).get(`/statements${q({ activity: act, related_activities: 'true' })}`).expect(200);
      expect(ids(related.body)).to.have.members([asObject.id, asParent.id, asCategory.id, inSub.id]);
    });

    it('when filtering by registration, then only statements of that registration match', async () => {
      const reg = uid();
      const inReg = statement({ context: { registration: reg } });
      await post(inReg, statement({ context: { registration: uid() } }));
      expect(ids((await lrs(cred).get(`/statements${q({ registration: reg })}`).expect(200)).body)).to.deep.equal([inReg.id]);
      await lrs(cred).get(`/statements${q({ registration: 'nope' })}`).expect(400);
    });
  });

  describe('XAPI-00164 statements that target a matching statement (StatementRef)', () => {
    const ref = (target: string, verb = verbId()) => statement({ verb: { id: verb }, object: { objectType: 'StatementRef', id: target } });

    it('when a statement refers to one that matches agent+verb, then it is returned too, also when it arrived first', async () => {
      const who = { mbox: mbox() };
      const v = verbId();
      const target = statement({ actor: who, verb: { id: v } });
      const early = ref(target.id as string);
      await post(early);
      await post(target);
      const late = ref(target.id as string);
      const chained = ref(late.id as string);
      await post(late, chained);
      const res = await lrs(cred).get(`/statements${q({ agent: who, verb: v })}`).expect(200);
      expect(ids(res.body)).to.have.members([target.id, early.id, late.id, chained.id]);
      const byVerb = await lrs(cred).get(`/statements${q({ verb: v })}`).expect(200);
      expect(ids(byVerb.body)).to.have.members([target.id, early.id, late.id, chained.id]);
      // Filters hold on one statement: the referring statement's own verb with the target's agent is no match.
      const own = await lrs(cred).get(`/statements${q({ agent: who, verb: (early.verb as { id: string }).id })}`).expect(200);
      expect(ids(own.body)).to.deep.equal([]);
    });

    it('when a statement refers to one in a registration, then the registration filter returns it', async () => {
      const reg = uid();
      const target = statement({ context: { registration: reg } });
      const r = ref(target.id as string);
      await post(target, r);
      expect(ids((await lrs(cred).get(`/statements${q({ registration: reg })}`).expect(200)).body)).to.have.members([target.id, r.id]);
    });
  });

  describe('XAPI-00175 XAPI-00174 XAPI-00166 XAPI-00173 XAPI-00108 time, order and paging', () => {
    it('when since/until/ascending/limit are used, then the right statements come in stored order with a working more link', async () => {
      const who = { mbox: mbox() };
      const list: S[] = [];
      for (let i = 0; i < 5; i++) {
        const s = statement({ actor: who }) as S;
        await post(s);
        list.push(s);
        await new Promise((r) => setTimeout(r, 5)); // distinct stored milliseconds
      }
      const stored = [];
      for (const s of list) stored.push((await lrs(cred).get(`/statements${q({ statementId: s.id })}`)).body.stored as string);
      const all = await lrs(cred).get(`/statements${q({ agent: who })}`).expect(200);
      expect(ids(all.body)).to.deep.equal(list.map((s) => s.id).reverse());
      expect(all.body.more).to.equal('');
      const asc = await lrs(cred).get(`/statements${q({ agent: who, ascending: 'true' })}`).expect(200);
      expect(ids(asc.body)).to.deep.equal(list.map((s) => s.id));
      const window = await lrs(cred).get(`/statements${q({ agent: who, since: stored[1], until: stored[3] })}`).expect(200);
      expect(ids(window.body)).to.deep.equal([list[3]!.id, list[2]!.id]);

      const seen: string[] = [];
      let page = await lrs(cred).get(`/statements${q({ agent: who, limit: '2' })}`).expect(200);
      for (;;) {
        expect(page.body.statements.length).to.be.at.most(2);
        seen.push(...ids(page.body));
        if (!page.body.more) break;
        expect(page.body.more).to.match(/^\/xapi\/statements\?/);
        page = await lrs(cred).get(page.body.more.slice('/xapi'.length)).expect(200);
      }
      expect(seen).to.deep.equal(list.map((s) => s.id).reverse());
    });

    it('when a parameter is unknown or malformed, then 400', async () => {
      await lrs(cred).get(`/statements${q({ colour: 'blue' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ since: 'yesterday' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ ascending: 'yes' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ format: 'full' })}`).expect(400);
      await lrs(cred).get(`/statements${q({ more: 'garbage' })}`).expect(400);
      const forged = (c: unknown) => Buffer.from(JSON.stringify(c)).toString('base64url');
      const cursor = { filter: { ascending: false, limit: 100000 }, after: { stored: new Date().toISOString(), seq: '1' }, format: 'exact', attachments: false };
      await lrs(cred).get(`/statements${q({ more: forged(cursor) })}`).expect(400);
      await lrs(cred).get(`/statements${q({ more: forged({ ...cursor, filter: { ascending: false, limit: 5 }, after: { stored: 'x', seq: '1' } }) })}`).expect(400);
      await lrs(cred).get(`/statements${q({ more: forged({ ...cursor, filter: { ascending: false, limit: 5 } }) })}`).expect(200);
    });
  });

  describe('XAPI-00171 XAPI-00169 XAPI-00172 format', () => {
    it('when format=ids, then agents keep only their IFI, activities their id, verbs their id', async () => {
      const s = statement({ actor: { objectType: 'Agent', name: 'Lee', mbox: mbox() } });
      await post(s);
      const res = await lrs(cred).get(`/statements${q({ statementId: s.id, format: 'ids' })}`).expect(200);
      expect(res.body.actor).to.deep.equal({ objectType: 'Agent', mbox: (s.actor as { mbox: string }).mbox });
      expect(res.body.verb).to.deep.equal({ id: (s.verb as { id: string }).id });
      expect(res.body.object).to.deep.equal({ id: (s.object as { id: string }).id });
    });

    it('when format=canonical with Accept-Language, then language maps keep the one preferred language', async () => {
      const s = statement();
      await post(s);
      const res = await lrs(cred).get(`/statements${q({ statementId: s.id, format: 'canonical' })}`).set('Accept-Language', 'fr-FR, en;q=0.5').expect(200);
      expect(res.body.verb.display).to.deep.equal({ 'fr-FR': 'a terminé' });
      expect(res.body.object.definition.name).to.deep.equal({ 'en-US': 'Module 1' });
    });
  });
});
