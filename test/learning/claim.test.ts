import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post } from '../helpers/cme';
import {
  answersAllCorrect, enrollmentOf, evaluation, pharmacist, physician, posttestOf, redirectOf, spendMinutes, startPath,
} from '../helpers/learner-path';

const db = () => harness().accrue.accrue.db;

/** Walks a learner up to the claim page with `minutes` of measured time and `attested` minutes attested. */
async function toClaim(activityId: string, profile: Record<string, unknown>, minutes: number, attested: number) {
  const l = await startPath(activityId, profile);
  let token = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).token;
  await spendMinutes(token, activityId, l.sub, minutes);
  let next = redirectOf(await post('/learner/content', { s: token }));
  if (next.path === '/learner/posttest') next = redirectOf(await post('/learner/posttest', { s: next.token, ...answersAllCorrect(await posttestOf(activityId)) }));
  next = redirectOf(await post('/learner/evaluation', { s: next.token, ...evaluation }));
  token = redirectOf(await post('/learner/attestation', { s: next.token, minutes: String(attested), attest: 'on' })).token;
  return { ...l, token, enrollmentId: (await enrollmentOf(activityId, l.sub)).id };
}

const claimsOf = async (enrollmentId: string) =>
  (await db().query<{ credit_type: string; awarded_amount: string; unit: string }>(
    'SELECT credit_type, awarded_amount, unit FROM credit_claim WHERE enrollment_id = $1 ORDER BY credit_type', [enrollmentId])).rows;

describe('Learner path: the claim', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token, {
      designations: {
        AMA_PRA_1: { maxAmount: '1' }, ANCC: { maxAmount: '1' }, IPCE: { maxAmount: '1' },
        ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-076-H01-P', activityType: 'knowledge' },
      },
      moc: [{ board: 'ABIM', maxPoints: '1', partialAllowed: 'on' }],
    });
  });

  it('when the learner sees the preview, then the claim awards exactly what it showed', async () => {
    const l = await toClaim(activityId, { ...physician, boards: [{ board: 'ABIM', id: '998877' }] }, 40, 45);
    const preview = await get('/learner/claim', l.token);
    // 40 recorded minutes: AMA 0.75 (nearest quarter), IPCE 0.75, ABIM MOC follows AMA; no ANCC or ACPE for a physician.
    expect(preview.text).to.contain('0.75 AMA PRA Category 1 Credit™').and.contain('0.75 IPCE credit').and.contain('ABIM MOC: 0.75 point(s)');
    redirectOf(await post('/learner/claim', { s: l.token }));
    expect(await claimsOf(l.enrollmentId)).to.deep.equal([
      { credit_type: 'AMA_PRA_1', awarded_amount: '0.75', unit: 'credit' },
      { credit_type: 'IPCE', awarded_amount: '0.75', unit: 'credit' },
      { credit_type: 'MOC_ABIM', awarded_amount: '0.75', unit: 'moc-point' },
    ]);
    const earned = (await db().query<{ type: string; amount: number }>(
      `SELECT statement->'result'->'extensions'->>$2 AS type, (statement->'result'->'extensions'->>$3)::numeric AS amount
         FROM lrs_statement WHERE statement->'verb'->>'id' = 'http://id.tincanapi.com/verb/earned' AND statement->'actor'->'account'->>'name' = $1 ORDER BY 1`,
      [l.sub, `${harness().accrue.url}/xapi/extensions/credit-type`, `${harness().accrue.url}/xapi/extensions/credit-amount`])).rows;
    expect(earned.map((e) => [e.type, Number(e.amount)])).to.deep.equal([['AMA_PRA_1', 0.75], ['IPCE', 0.75], ['MOC_ABIM', 0.75]]);
  });

  it('when a pharmacist claims, then ACPE contact hours with CEU are awarded, truncated to hundredths', async () => {
    const l = await toClaim(activityId, pharmacist, 50, 50);
    expect((await get('/learner/claim', l.token)).text).to.contain('0.83 ACPE credit').and.contain('0.083 CEU');
    redirectOf(await post('/learner/claim', { s: l.token }));
    expect(await claimsOf(l.enrollmentId)).to.deep.equal([
      { credit_type: 'ACPE', awarded_amount: '0.83', unit: 'contact-hour' },
      { credit_type: 'IPCE', awarded_amount: '0.75', unit: 'credit' },
    ]);
  });

  it('when the claim is submitted twice, or twice at once, then the credit is awarded once', async () => {
    const l = await toClaim(activityId, { profession: 'nurse', degree: 'RN' }, 30, 30);
    const [a, b] = await Promise.all([post('/learner/claim', { s: l.token }), post('/learner/claim', { s: l.token })]);
    expect([a.status, b.status]).to.include(303);
    const again = await post('/learner/claim', { s: l.token });
    expect(redirectOf(again).path).to.equal('/learner/done');
    expect(await claimsOf(l.enrollmentId)).to.deep.equal([
      { credit_type: 'ANCC', awarded_amount: '0.50', unit: 'contact-hour' },
      { credit_type: 'IPCE', awarded_amount: '0.50', unit: 'credit' },
    ]);
    const claimEvidence = await db().query("SELECT 1 FROM completion_evidence WHERE enrollment_id = $1 AND kind = 'claim'", [l.enrollmentId]);
    expect(claimEvidence.rows).to.have.length(1);
  });

  it('when the learner\'s profession receives nothing, then the page says why, the claim is refused (409) and nothing is awarded', async () => {
    const { token } = await instructorIn();
    const amaOnly = await buildActivity(token, { designations: { AMA_PRA_1: { maxAmount: '1' } } });
    const l = await toClaim(amaOnly, { profession: 'social_worker', degree: 'LCSW' }, 30, 30);
    const page = await get('/learner/claim', l.token);
    expect(page.text).to.contain('No credit can be awarded').and.contain('certificate of participation');
    const res = await post('/learner/claim', { s: l.token });
    expect(res.status).to.equal(409);
    expect(await claimsOf(l.enrollmentId)).to.deep.equal([]);
  });

  it('when a learner has started, then the activity\'s designations are frozen for the builder', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token);
    await startPath(id);
    const res = await post(`/builder/activities/${id}/credit`, { s: token, designations: { AMA_PRA_1: { maxAmount: '10' } } });
    expect(res.status).to.equal(409);
    expect(res.text).to.contain('frozen');
    const max = (await db().query<{ max_amount: string }>("SELECT max_amount FROM activity_designation WHERE activity_id = $1 AND credit_type = 'AMA_PRA_1'", [id])).rows[0]!.max_amount;
    expect(max).to.equal('1.50');
    expect((await get(`/builder/activities/${id}/credit`, token)).text).to.contain('Frozen:');
  });

  it('when enduring material is past its termination date, then no credit is offered and the claim is refused', async () => {
    const { token } = await instructorIn();
    const old = await buildActivity(token, { dates: { releaseDate: '2020-01-01', lastReviewDate: '2020-06-01', terminationDate: '2021-01-01' } });
    const l = await toClaim(old, physician, 30, 30);
    expect((await get('/learner/claim', l.token)).text).to.contain('Credit for this activity was offered until 2021-01-01.');
    expect((await post('/learner/claim', { s: l.token })).status).to.equal(409);
    expect(await claimsOf(l.enrollmentId)).to.deep.equal([]);
  });
});

describe('Learner path: the award goes back to the LMS gradebook', () => {
  it('when a learner claims credit, then one score is owed in the same transaction and the worker delivers it to the LMS once', async () => {
    const { token } = await instructorIn();
    const activityId = await buildActivity(token, { designations: { AMA_PRA_1: { maxAmount: '1' } } });
    const l = await toClaim(activityId, physician, 60, 60);
    redirectOf(await post('/learner/claim', { s: l.token }));
    redirectOf(await post('/learner/claim', { s: l.token })); // a double submit owes nothing more
    const owed = (await db().query<{ kind: string; status: string; payload: { score: { scoreGiven: number; scoreMaximum: number } } }>(
      'SELECT kind, status, payload FROM passback_outbox WHERE idempotency_key = $1', [`enrollment:${l.enrollmentId}:award`])).rows;
    expect(owed).to.have.length(1);
    expect(owed[0]!.kind).to.equal('award');
    const { accrue, lms } = harness();
    // Other tests' awards may be owed to the same LMS (file order is not fixed): deliver batches until this one has gone.
    const worker = accrue.accrue.passback.createWorker({ platformIds: [lms.id], pollMs: 50, httpTimeoutMs: 3000 });
    const delivered = async () => (await db().query<{ score: { scoreGiven: number; scoreMaximum: number; activityProgress: string; gradingProgress: string } }>(
      'SELECT score FROM sandbox_score WHERE user_id = $1', [l.sub])).rows;
    for (let i = 0; i < 100 && (await delivered()).length === 0; i++) if ((await worker.runOnce()).claimed === 0) break;
    const scores = await delivered();
    expect(scores).to.have.length(1);
    expect(scores[0]!.score).to.include({ scoreGiven: 100, scoreMaximum: 100, activityProgress: 'Completed', gradingProgress: 'FullyGraded' });
  });
});
