/**
 * The certificate of an award, end to end over HTTP: a learner walks the path launched from the test LMS, claims,
 * and the award's transaction has issued the certificate, enqueued the score with its link and written the
 * "certificate issued" statement; the passback worker then delivers the score to the LMS gradebook.
 */
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { startServer } from '../../src/main';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post, statementsFor, uniq } from '../helpers/cme';
import { answersAllCorrect, enrollmentOf, evaluation, physician, posttestOf, redirectOf, spendMinutes, startPath } from '../helpers/learner-path';
import { agent, parseBinary, pdfText } from './fixtures';

const db = () => harness().accrue.accrue.db;
const nurse = { profession: 'nurse', degree: 'RN', licenses: [{ state: 'OH', licenseId: 'RN.5566', primary: 'on' }] };

async function course(spec: Parameters<typeof buildActivity>[1] = {}) {
  const contextId = uniq('course');
  const instructor = await instructorIn(contextId);
  return { contextId, activityId: await buildActivity(instructor.token, spec) };
}

/** Walks a learner launched from the test LMS up to the claim page; `minutes` measured and attested. */
async function toClaim(c: { activityId: string; contextId: string }, profile: Record<string, unknown>, o: { minutes?: number; name?: string } = {}) {
  const minutes = o.minutes ?? 30;
  const l = await startPath(c.activityId, profile, { contextId: c.contextId, name: o.name ?? 'Lee Learner' });
  let token = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).token;
  await spendMinutes(token, c.activityId, l.sub, minutes);
  let next = redirectOf(await post('/learner/content', { s: token }));
  if (next.path === '/learner/posttest') next = redirectOf(await post('/learner/posttest', { s: next.token, ...answersAllCorrect(await posttestOf(c.activityId)) }));
  if (next.path === '/learner/evaluation') next = redirectOf(await post('/learner/evaluation', { s: next.token, ...evaluation }));
  token = redirectOf(await post('/learner/attestation', { s: next.token, minutes: String(minutes), attest: 'on' })).token;
  return { sub: l.sub, token, enrollmentId: (await enrollmentOf(c.activityId, l.sub)).id };
}

async function certificatesOf(sub: string) {
  return (await db().query<{ id: string; code: string; award_key: string | null; status: string; statements: { designations: string[] } }>(
    'SELECT id, code, award_key, status, statements FROM certificate WHERE platform_id = $1 AND learner_sub = $2', [harness().lms.id, sub])).rows;
}

async function awardOutbox(enrollmentId: string) {
  return (await db().query<{ id: string; payload: { certificateUrl?: string; score: { comment?: string } } }>(
    'SELECT id, payload FROM passback_outbox WHERE idempotency_key = $1', [`enrollment:${enrollmentId}:award`])).rows;
}

const display = (code: string) => code.match(/.{5}/g)!.join('-');

describe('Certificates: issued on award', () => {
  it('when a physician claims credit, then the certificate is issued, listed for them, valid at /verify, and the LMS gradebook gets the score with its link', async () => {
    const c = await course();
    const l = await toClaim(c, physician, { minutes: 30, name: 'Ada Okafor' });
    const done = redirectOf(await post('/learner/claim', { s: l.token }));
    expect(done.path).to.equal('/learner/done');

    const [cert, ...more] = await certificatesOf(l.sub);
    expect(more).to.have.length(0);
    expect(cert!.award_key).to.equal(`enrollment:${l.enrollmentId}`);
    const code = display(cert!.code);
    const verifyUrl = `${harness().accrue.url}/verify/${cert!.code}`;
    // The office's designation text, verbatim and printed once although it serves AMA and ANCC.
    expect(cert!.statements.designations).to.deep.equal([statementsFor({}).designation]);

    expect((await get('/learner/done', done.token)).text).to.contain(`/learner/certificates?s=`);
    const mine = await get('/learner/certificates', done.token);
    expect(mine.status).to.equal(200);
    // 30 minutes: 0.5 AMA PRA Category 1 Credits (a physician receives no ANCC contact hours).
    expect(mine.text).to.contain(code).and.contain('0.5 AMA PRA Category 1 Credits™');
    const pdf = await agent().get(`/learner/certificates/${code}/pdf?s=${done.token}`).buffer(true).parse(parseBinary);
    expect(pdf.status).to.equal(200);
    const text = pdfText(pdf.body as Buffer).replace(/\s+/g, ' ');
    expect(text).to.contain('Ada Okafor').and.contain('enduring material').and.contain('Accredited CME provider designates this enduring material');

    const verify = await request(harness().accrue.url).get(`/verify/${cert!.code}`).set('Accept', 'application/json');
    expect(verify.status).to.equal(200);
    expect(verify.body).to.include({ status: 'valid', code, learnerName: 'Ada Okafor' });

    // Enqueued in the award's transaction with the certificate link; delivered by the worker to the test LMS.
    const [owed] = await awardOutbox(l.enrollmentId);
    expect(owed!.payload.certificateUrl).to.equal(verifyUrl);
    const worker = harness().accrue.accrue.passback.createWorker({
      platformIds: [harness().lms.id], concurrency: 8, pollMs: 50, httpTimeoutMs: 5000, leaseSeconds: 30,
      backoff: { baseSeconds: 60, maxSeconds: 600 }, circuit: { threshold: 3, probeSeconds: 60 },
    });
    // Other tests' awards may be owed to the same LMS: deliver batches until this learner's score has gone (or none is left).
    const mineDelivered = async () => (await harness().lms.platform.scores()).filter((s) => s.userId === l.sub);
    for (let i = 0; i < 100 && (await mineDelivered()).length === 0; i++) if ((await worker.runOnce()).claimed === 0) break;
    const scores = await mineDelivered();
    expect(scores).to.have.length(1);
    expect(scores[0]!.score).to.include({ scoreGiven: 100, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
    expect(String(scores[0]!.score.comment)).to.contain(`Certificate: ${verifyUrl}`);

    // The "certificate issued" statement of the profile, in the learner's registration.
    const { registration } = await enrollmentOf(c.activityId, l.sub);
    const issued = (await db().query<{ statement: { object: { id: string; definition: { type: string } }; actor: { account: { name: string } } } }>(
      "SELECT statement FROM lrs_statement WHERE statement->'context'->>'registration' = $1 AND statement->'verb'->>'id' = $2",
      [registration, `${harness().accrue.url}/xapi/verbs/issued`])).rows;
    expect(issued).to.have.length(1);
    expect(issued[0]!.statement.object.id).to.equal(verifyUrl);
    expect(issued[0]!.statement.object.definition.type).to.equal(`${harness().accrue.url}/xapi/activity-types/certificate`);
    expect(issued[0]!.statement.actor.account.name).to.equal(l.sub);
  });

  it('when a nurse claims in an AMA and ANCC activity, then the certificate awards ANCC contact hours and records participation in the AMA designation', async () => {
    const c = await course();
    const l = await toClaim(c, nurse, { minutes: 30 });
    redirectOf(await post('/learner/claim', { s: l.token }));
    const [cert] = await certificatesOf(l.sub);
    const verify = await request(harness().accrue.url).get(`/verify/${cert!.code}`).set('Accept', 'application/json');
    expect(verify.body.credits.map((x: { line: string }) => x.line)).to.deep.equal(['0.5 ANCC contact hours']);
    expect(verify.body.participation.map((x: { line: string }) => x.line)).to.deep.equal(['Participation in an activity designated for 1.5 AMA PRA Category 1 Credits™']);
  });

  it('when PROVIDER_URL is configured, then certificates print it; without it ISSUER_URL, and without both PUBLIC_URL', async () => {
    const { accrue, config } = harness();
    const printed = async (settings: { providerUrl: string; issuerUrl: string }) => {
      // An instance of its own with these settings on the same database: the learner walks to the claim on the
      // shared one, and the claim (which issues the certificate) is submitted to this one.
      const instance = await startServer({ config: { ...config, port: 0, ...settings }, db: accrue.accrue.db, host: '127.0.0.1' });
      try {
        const l = await toClaim(await course(), physician, { name: 'Ada Okafor' });
        // Its PUBLIC_URL is the shared instance's (the same statement IRIs), so it is reached by its own port.
        const claim = await request(`http://127.0.0.1:${(instance.server.address() as AddressInfo).port}`).post('/learner/claim').type('form').send({ s: l.token });
        expect(claim.status, claim.text.slice(0, 300)).to.equal(303);
        const [cert] = await certificatesOf(l.sub);
        const done = redirectOf(claim).token;
        const pdf = await agent().get(`/learner/certificates/${display(cert!.code)}/pdf?s=${done}`).buffer(true).parse(parseBinary);
        expect(pdf.status).to.equal(200);
        return pdfText(pdf.body as Buffer).replace(/\s+/g, ' ');
      } finally {
        await instance.close();
      }
    };
    const both = await printed({ providerUrl: 'https://cme.riverside.example.edu/accredited', issuerUrl: 'https://issuer.example.org' });
    expect(both).to.contain('https://cme.riverside.example.edu/accredited').and.not.contain('https://issuer.example.org');
    const issuerOnly = await printed({ providerUrl: '', issuerUrl: 'https://issuer.example.org' });
    expect(issuerOnly).to.contain('https://issuer.example.org').and.not.contain('cme.riverside.example.edu');
    const neither = await printed({ providerUrl: '', issuerUrl: '' });
    expect(neither).to.contain(`${config.publicUrl} `).and.not.contain('issuer.example.org');
  });

  it('when the claim is submitted twice at once, then one certificate, one score and one "issued" statement exist', async () => {
    const c = await course();
    const l = await toClaim(c, physician);
    const results = await Promise.all([post('/learner/claim', { s: l.token }), post('/learner/claim', { s: l.token })]);
    for (const r of results) expect(r.status, r.text.slice(0, 300)).to.be.oneOf([303, 409]);
    expect(await certificatesOf(l.sub)).to.have.length(1);
    expect(await awardOutbox(l.enrollmentId)).to.have.length(1);
    const { registration } = await enrollmentOf(c.activityId, l.sub);
    const issued = await db().query("SELECT 1 FROM lrs_statement WHERE statement->'context'->>'registration' = $1 AND statement->'verb'->>'id' = $2",
      [registration, `${harness().accrue.url}/xapi/verbs/issued`]);
    expect(issued.rows).to.have.length(1);
  });

  it('when a second award path issues for the same enrollment, then it gets the existing certificate back and nothing new is issued', async () => {
    const c = await course();
    const l = await toClaim(c, physician);
    redirectOf(await post('/learner/claim', { s: l.token }));
    const [first] = await certificatesOf(l.sub);
    const { accrue } = harness().accrue;
    const row = (await db().query<{ input: Parameters<typeof accrue.certificates.issue>[1] }>('SELECT input FROM certificate WHERE id = $1', [first!.id])).rows[0]!;
    const again = await db().tx((q) => accrue.certificates.issue(q, row.input, { awardKey: `enrollment:${l.enrollmentId}` }));
    expect(again).to.deep.include({ id: first!.id, code: display(first!.code), created: false });
    expect(await certificatesOf(l.sub)).to.have.length(1);
    const outbox = await db().query("SELECT 1 FROM certificate_outbox WHERE certificate_id = $1 AND kind = 'certificate.issued'", [first!.id]);
    expect(outbox.rows).to.have.length(1);
  });
});

describe('Certificates: an activity whose statements lack a required element cannot be published', () => {
  it('when the AMA designation statement lacks the commensurate-claim clause, then publishing is refused (400) naming it, and the activity stays a draft', async () => {
    const { token } = await instructorIn(uniq('course'));
    const id = await buildActivity(token, { publish: false, designations: { AMA_PRA_1: { maxAmount: '1' } } });
    const statements = statementsFor({ designations: { AMA_PRA_1: { maxAmount: '1' } } });
    const saved = await post(`/builder/activities/${id}/statements`, {
      s: token, statements: { ...statements, designation: 'Accredited CME provider designates this enduring material for a maximum of 1 AMA PRA Category 1 Credit™.' },
    });
    expect(saved.status).to.equal(303);
    const res = await post(`/builder/activities/${id}/publish`, { s: token });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Missing commensurate-claim clause (AMA PRA Category 1)').and.contain('href="#f-statements-designation"');
    const status = (await db().query<{ status: string }>('SELECT status FROM activity WHERE id = $1', [id])).rows[0]!.status;
    expect(status).to.equal('draft');

    await post(`/builder/activities/${id}/statements`, { s: token, statements });
    expect((await post(`/builder/activities/${id}/publish`, { s: token })).status).to.equal(303);
  });

  it('when the statements of a published activity are edited to lack an element, or a credit type without its statement is added, then the change is refused (400) and nothing is saved', async () => {
    const { token } = await instructorIn(uniq('course'));
    const id = await buildActivity(token);
    const versions = async () => (await db().query<{ kind: string; version: number }>(
      'SELECT kind, max(version) AS version FROM activity_statement WHERE activity_id = $1 GROUP BY kind ORDER BY kind', [id])).rows;
    const before = await versions();
    const edit = await post(`/builder/activities/${id}/statements`, { s: token, statements: { ...statementsFor({}), accreditation: 'Accredited by the ACCME.' } });
    expect(edit.status).to.equal(400);
    expect(edit.text).to.contain('Missing provider name').and.contain('href="#f-statements-accreditation"');
    expect(await versions()).to.deep.equal(before);
    const credit = await post(`/builder/activities/${id}/credit`, { s: token, designations: { AMA_PRA_1: { maxAmount: '1.5' }, ANCC: { maxAmount: '1.5' }, AAPA_1: { maxAmount: '1.5' } } });
    expect(credit.status).to.equal(400);
    expect(credit.text).to.contain('Missing credit mark (AAPA)');
    const types = (await db().query<{ credit_type: string }>('SELECT credit_type FROM activity_designation WHERE activity_id = $1 ORDER BY 1', [id])).rows;
    expect(types.map((t) => t.credit_type)).to.deep.equal(['AMA_PRA_1', 'ANCC']);
  });

  it('when IPCE credit is designated without the Joint Accreditation statement, then publishing is refused naming it', async () => {
    const { token } = await instructorIn(uniq('course'));
    const designations = { AMA_PRA_1: { maxAmount: '1' }, IPCE: { maxAmount: '1' } };
    const id = await buildActivity(token, { publish: false, designations });
    await post(`/builder/activities/${id}/statements`, { s: token, statements: { ...statementsFor({ designations }), joint_accreditation: '' } });
    const res = await post(`/builder/activities/${id}/publish`, { s: token });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('Missing joint accreditation statement (IPCE)').and.contain('href="#f-statements-joint_accreditation"');
    expect(res.text).to.not.match(/stack|at Object\./i);
  });
});
