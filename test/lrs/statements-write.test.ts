/** Storing statements: PUT/POST, ids, stored, authority, version, conflicts, validation, voiding (over HTTP). */
import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { activityId, credential, lrs, mbox, q, statement, uid, type TestCredential } from './helpers';

describe('LRS statements: storing', () => {
  let cred: TestCredential;
  before(async () => {
    cred = await credential(['all']);
  });

  describe('XAPI-00146 POST /statements', () => {
    it('when one statement and then an array are posted, then 200 answers their ids in order', async () => {
      const one = statement();
      const res1 = await lrs(cred).post('/statements').send(one).expect(200);
      expect(res1.body).to.deep.equal([one.id]);
      const batch = [statement(), statement()];
      const res2 = await lrs(cred).post('/statements').send(batch).expect(200);
      expect(res2.body).to.deep.equal(batch.map((s) => s.id));
    });

    it('XAPI-00026 when a statement has no id, then the LRS assigns a UUID and stores it under that id', async () => {
      const s = statement();
      delete s.id;
      const res = await lrs(cred).post('/statements').send(s).expect(200);
      expect(res.body[0]).to.match(/^[0-9a-f-]{36}$/);
      const got = await lrs(cred).get(`/statements${q({ statementId: res.body[0] })}`).expect(200);
      expect(got.body.id).to.equal(res.body[0]);
    });

    it('XAPI-00326 when one statement of a batch is invalid, then nothing of the batch is stored', async () => {
      const good = statement();
      const bad = statement({ verb: { id: 'not an iri' } });
      await lrs(cred).post('/statements').send([good, bad]).expect(400);
      await lrs(cred).get(`/statements${q({ statementId: good.id })}`).expect(404);
    });

    it('when a batch repeats an id, then it is refused with 400', async () => {
      const s = statement();
      await lrs(cred).post('/statements').send([s, { ...s }]).expect(400);
    });
  });

  describe('XAPI-00143 PUT /statements', () => {
    it('when a statement is PUT with its statementId, then 204 and it can be read back', async () => {
      const s = statement();
      await lrs(cred).put(`/statements${q({ statementId: s.id })}`).send(s).expect(204);
      await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
    });

    it('XAPI-00145 when statementId is missing, then 400', async () => {
      await lrs(cred).put('/statements').send(statement()).expect(400);
    });

    it('when the body id differs from statementId, then 400', async () => {
      await lrs(cred).put(`/statements${q({ statementId: uid() })}`).send(statement()).expect(400);
    });

    it('when the body is an array, then 400', async () => {
      const s = statement();
      await lrs(cred).put(`/statements${q({ statementId: s.id })}`).send([s]).expect(400);
    });
  });

  describe('XAPI-00142 an LRS does not modify a stored statement', () => {
    it('when a different statement arrives with a stored id, then 409 and the stored one is unchanged', async () => {
      const s = statement();
      await lrs(cred).post('/statements').send(s).expect(200);
      const other = { ...statement(), id: s.id };
      await lrs(cred).post('/statements').send(other).expect(409);
      await lrs(cred).put(`/statements${q({ statementId: s.id })}`).send(other).expect(409);
      const got = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(got.body.actor).to.deep.equal(s.actor);
    });

    it('when the same statement is sent again (a retry), then it is accepted without a second copy', async () => {
      const s = statement();
      await lrs(cred).put(`/statements${q({ statementId: s.id })}`).send(s).expect(204);
      await lrs(cred).put(`/statements${q({ statementId: s.id })}`).send(s).expect(204);
      await lrs(cred).post('/statements').send(s).expect(200);
      const rows = await harness().accrue.accrue.db.query('SELECT count(*)::int AS n FROM lrs_statement WHERE id = $1', [s.id]);
      expect(rows.rows[0]!.n).to.equal(1);
    });

    it('when a batch mixes a retry with new statements, then the retry is kept as stored and the new ones are stored and indexed', async () => {
      const agent = { objectType: 'Agent', mbox: mbox() };
      const old = statement({ actor: agent });
      await lrs(cred).post('/statements').send(old).expect(200);
      const fresh = [statement({ actor: agent }), statement({ actor: agent })];
      const res = await lrs(cred).post('/statements').send([fresh[0], old, fresh[1]]).expect(200);
      expect(res.body).to.deep.equal([fresh[0]!.id, old.id, fresh[1]!.id]);
      const found = await lrs(cred).get(`/statements${q({ agent: JSON.stringify(agent) })}`).expect(200);
      expect(found.body.statements.map((x: { id: string }) => x.id).sort()).to.deep.equal([old.id, fresh[0]!.id, fresh[1]!.id].sort());
    });

    it('when a batch holds a stored id with other content, then 409 and none of the batch is stored', async () => {
      const old = statement();
      await lrs(cred).post('/statements').send(old).expect(200);
      const fresh = statement();
      await lrs(cred).post('/statements').send([fresh, { ...statement(), id: old.id }]).expect(409);
      await lrs(cred).get(`/statements${q({ statementId: fresh.id })}`).expect(404);
    });

    it('when several clients send the same statement at once, then each gets its id and one copy is stored', async () => {
      const s = statement();
      const answers = await Promise.all(Array.from({ length: 4 }, () => lrs(cred).post('/statements').send(s)));
      expect(answers.map((a) => [a.status, a.body[0]])).to.deep.equal(Array.from({ length: 4 }, () => [200, s.id]));
      const rows = await harness().accrue.accrue.db.query('SELECT count(*)::int AS n FROM lrs_statement WHERE id = $1', [s.id]);
      expect(rows.rows[0]!.n).to.equal(1);
    });

    it('when a statement row is deleted, then its agent and activity index rows go with it (no foreign key, a trigger)', async () => {
      const s = statement();
      await lrs(cred).post('/statements').send(s).expect(200);
      const db = harness().accrue.accrue.db;
      const { rows } = await db.query<{ seq: string }>('SELECT seq::text AS seq FROM lrs_statement WHERE id = $1', [s.id]);
      const count = async () => (await db.query<{ n: number }>(
        `SELECT (SELECT count(*) FROM lrs_statement_agent WHERE statement_seq = $1) + (SELECT count(*) FROM lrs_statement_activity WHERE statement_seq = $1) AS n`,
        [rows[0]!.seq])).rows[0]!.n;
      expect(Number(await count())).to.be.greaterThan(0);
      await db.query('DELETE FROM lrs_statement WHERE id = $1', [s.id]);
      expect(Number(await count())).to.equal(0);
    });

    it('when one request stores more statements than one insert takes (1,000), then every one is stored and indexed', async () => {
      const { db } = harness().accrue.accrue;
      const object = activityId();
      const list = Array.from({ length: 1_201 }, () => statement({ object: { objectType: 'Activity', id: object } }));
      const ids = list.map((x) => x.id as string);
      const answer = await lrs(cred).post('/statements').send(list).expect(200);
      expect(answer.body).to.deep.equal(ids);
      const { rows } = await db.query<{ n: number; indexed: number }>(
        `SELECT count(*)::int AS n, count(*) FILTER (WHERE EXISTS (SELECT 1 FROM lrs_statement_activity c WHERE c.statement_seq = s.seq AND c.core))::int AS indexed
           FROM lrs_statement s WHERE s.id = ANY($1::uuid[])`, [ids]);
      expect(rows[0]).to.deep.equal({ n: 1_201, indexed: 1_201 });
      const page = await lrs(cred).get(`/statements${q({ activity: object, limit: 1, ascending: true })}`).expect(200);
      expect(page.body.statements.map((x: { id: string }) => x.id)).to.deep.equal([ids[0]]);
      expect(page.body.more).to.be.a('string').and.not.equal('');
    });

    it('when statements stored in a caller\'s transaction roll back, then their new IRIs go too, and the same IRIs stored later are found', async () => {
      const { db, lrs: service } = harness().accrue.accrue;
      const verb = `http://example.org/verbs/${uid()}`;
      const object = activityId();
      const make = () => ({ id: uid(), actor: { mbox: mbox() }, verb: { id: verb }, object: { objectType: 'Activity', id: object } });
      await db.tx(async (q) => {
        await service.statements.store([make()], { q });
        throw new Error('the caller fails after storing');
      }).then(() => expect.fail('the transaction should fail'), (e: Error) => expect(e.message).to.equal('the caller fails after storing'));
      const known = await db.query('SELECT iri FROM lrs_iri WHERE iri = ANY($1::text[])', [[verb, object]]);
      expect(known.rows).to.have.length(0);
      // Not cached either: a dictionary id that was rolled back would index the next statement under nothing.
      const later = make();
      await lrs(cred).post('/statements').send(later).expect(200);
      const found = await lrs(cred).get(`/statements${q({ verb, activity: object })}`).expect(200);
      expect(found.body.statements.map((x: { id: string }) => x.id)).to.deep.equal([later.id]);
    });
  });

  describe('XAPI-00023 XAPI-00097 XAPI-00099 what the LRS sets on a stored statement', () => {
    it('when a statement is stored, then it has stored (ms precision), timestamp = stored, authority = the credential, version', async () => {
      const s = statement();
      await lrs(cred).post('/statements').send(s).expect(200);
      const got = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(got.body.stored).to.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(got.body.timestamp).to.equal(got.body.stored);
      expect(got.body.version).to.equal('2.0.0');
      expect(got.body.authority).to.deep.include({ objectType: 'Agent' });
      expect(got.body.authority.account).to.deep.equal({ homePage: harness().accrue.accrue.config.publicUrl, name: cred.key });
      expect(got.headers['last-modified']).to.equal(new Date(got.body.stored).toUTCString());
    });

    it('when a 1.0.3 client stores a statement without version, then version is 1.0.0', async () => {
      const s = statement();
      await lrs(cred, '1.0.3').post('/statements').send(s).expect(200);
      const got = await lrs(cred, '1.0.3').get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(got.body.version).to.equal('1.0.0');
    });

    it('XAPI-00096 when contextActivities hold single Activities, then they are returned as arrays', async () => {
      const parent = { id: activityId() };
      const s = statement({ context: { contextActivities: { parent } } });
      await lrs(cred).post('/statements').send(s).expect(200);
      const got = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(got.body.context.contextActivities.parent).to.deep.equal([parent]);
    });
  });

  describe('XAPI-00014 statements that break the data model are refused with 400', () => {
    const cases: [string, Record<string, unknown>][] = [
      ['a property the specification does not define', { result: { success: true, grade: 'A' } }],
      ['an Agent with two IFIs', { actor: { mbox: mbox(), openid: 'http://openid.example.org/1' } }],
      ['an mbox without mailto:', { actor: { mbox: 'lee@example.org' } }],
      ['a verb id that is not an IRI', { verb: { id: 'completed' } }],
      ['a language map key that is not RFC 5646', { verb: { id: 'http://example.org/v', display: { a12345: 'x' } } }],
      ['a timestamp with the -00:00 offset', { timestamp: '2024-05-04T10:00:00.000-00:00' }],
      ['a scaled score above 1', { result: { score: { scaled: 1.5 } } }],
      ['context.revision with an Agent object', { object: { objectType: 'Agent', mbox: mbox() }, context: { revision: '1' } }],
      ['a voiding statement whose object is not a StatementRef', { verb: { id: 'http://adlnet.gov/expapi/verbs/voided' } }],
      ['an anonymous Group without members', { actor: { objectType: 'Group', name: 'team' } }],
      ['an authority Group of three Agents', { authority: { objectType: 'Group', member: [{ mbox: mbox() }, { mbox: mbox() }, { mbox: mbox() }] } }],
    ];
    for (const [what, change] of cases) {
      it(`when a statement has ${what}, then 400 with a message`, async () => {
        const res = await lrs(cred).post('/statements').send(statement(change)).expect(400);
        expect(res.body.error.message).to.be.a('string').and.not.empty;
        expect(res.text).not.to.match(/at \w+ \(/); // no stack trace
      });
    }

    it('when the body is not JSON, then 400', async () => {
      await lrs(cred).post('/statements').set('Content-Type', 'application/json').send('{"actor":').expect(400);
    });

    it('XAPI-00127 when the Content-Type is neither application/json nor multipart/mixed, then 400', async () => {
      await lrs(cred).post('/statements').set('Content-Type', 'text/plain').send(JSON.stringify(statement())).expect(400);
    });
  });

  describe('XAPI-00018 XAPI-00163 XAPI-00016 voiding', () => {
    it('when a statement is voided, then statementId answers 404, voidedStatementId answers it, and queries skip it', async () => {
      const target = statement();
      await lrs(cred).post('/statements').send(target).expect(200);
      const voiding = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target.id } });
      await lrs(cred).post('/statements').send(voiding).expect(200);
      await lrs(cred).get(`/statements${q({ statementId: target.id })}`).expect(404);
      const voided = await lrs(cred).get(`/statements${q({ voidedStatementId: target.id })}`).expect(200);
      expect(voided.body.id).to.equal(target.id);
      await lrs(cred).get(`/statements${q({ voidedStatementId: voiding.id })}`).expect(404);
      // The voiding statement matches the voided statement's filters (1.0.3 Part 3 §2.1.3, StatementRef targets).
      const found = await lrs(cred).get(`/statements${q({ activity: (target.object as { id: string }).id })}`).expect(200);
      expect(found.body.statements.map((s: { id: string }) => s.id)).to.deep.equal([voiding.id]);
    });

    it('when a voiding statement targets another voiding statement, then that one stays in force', async () => {
      const target = statement();
      const void1 = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target.id } });
      const void2 = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: void1.id } });
      await lrs(cred).post('/statements').send([target, void1, void2]).expect(200);
      await lrs(cred).get(`/statements${q({ statementId: void1.id })}`).expect(200);
      await lrs(cred).get(`/statements${q({ voidedStatementId: target.id })}`).expect(200);
    });

    it('when the voiding statement arrives before its target, then the target is voided on arrival', async () => {
      const target = statement();
      const voiding = statement({ verb: { id: 'http://adlnet.gov/expapi/verbs/voided' }, object: { objectType: 'StatementRef', id: target.id } });
      await lrs(cred).post('/statements').send(voiding).expect(200);
      await lrs(cred).post('/statements').send(target).expect(200);
      await lrs(cred).get(`/statements${q({ statementId: target.id })}`).expect(404);
      await lrs(cred).get(`/statements${q({ voidedStatementId: target.id })}`).expect(200);
    });
  });

  describe('the service other features use', () => {
    it('when Accrue stores a statement through statements.store, then it has Accrue\'s authority and is readable over HTTP', async () => {
      const s = statement();
      const ids = await harness().accrue.accrue.lrs.statements.store([s]);
      expect(ids).to.deep.equal([s.id]);
      const got = await lrs(cred).get(`/statements${q({ statementId: s.id })}`).expect(200);
      expect(got.body.authority.account).to.deep.equal({ homePage: harness().accrue.accrue.config.publicUrl, name: 'accrue' });
      expect(got.body.version).to.equal('2.0.0');
    });

    it('when statements.store gets an invalid statement, then it throws a 400 ValidationError', async () => {
      try {
        await harness().accrue.accrue.lrs.statements.store([statement({ actor: { name: 'no ifi' } })]);
        expect.fail('should have thrown');
      } catch (err) {
        expect((err as { httpStatus?: number }).httpStatus).to.equal(400);
      }
    });
  });

  describe('XAPI-00254 Activities Resource', () => {
    it('when two statements describe one Activity in two languages, then GET /activities returns both', async () => {
      const id = activityId();
      const a = statement({ object: { objectType: 'Activity', id, definition: { name: { 'en-US': 'Meeting' }, type: 'http://example.org/t' } } });
      const b = statement({ object: { objectType: 'Activity', id, definition: { name: { 'fr-FR': 'Réunion' } } } });
      await lrs(cred).post('/statements').send([a, b]).expect(200);
      const res = await lrs(cred).get(`/activities${q({ activityId: id })}`).expect(200);
      expect(res.body).to.deep.equal({ objectType: 'Activity', id, definition: { name: { 'en-US': 'Meeting', 'fr-FR': 'Réunion' }, type: 'http://example.org/t' } });
    });

    it('when an Activity is unknown, then GET /activities still returns an Activity with its id', async () => {
      const id = activityId();
      const res = await lrs(cred).get(`/activities${q({ activityId: id })}`).expect(200);
      expect(res.body).to.deep.equal({ objectType: 'Activity', id });
    });

    it('XAPI-00236 when an agent is asked for, then GET /agents returns a Person object', async () => {
      const agent = { objectType: 'Agent', name: 'Lee', mbox: mbox() };
      const res = await lrs(cred).get(`/agents${q({ agent })}`).expect(200);
      expect(res.body).to.deep.equal({ objectType: 'Person', name: ['Lee'], mbox: [agent.mbox] });
      await lrs(cred).get('/agents').expect(400);
      await lrs(cred).get(`/agents${q({ agent: { name: 'no ifi' } })}`).expect(400);
    });
  });
});
