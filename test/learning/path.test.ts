import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post } from '../helpers/cme';
import {
  answersAllCorrect, enrollmentOf, evaluation, learnerLaunch, posttestOf, redirectOf, spendMinutes, startPath,
} from '../helpers/learner-path';

const db = () => harness().accrue.accrue.db;

describe('Learner path: from launch to claim', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token, { title: 'Sepsis for the path' });
  });

  it('when a physician walks every step, then each is recorded as evidence and a statement, and the claim awards credit', async () => {
    const l = await startPath(activityId);
    let token = l.token;
    const disclosures = await get('/learner/disclosures', token);
    expect(disclosures.status).to.equal(200);
    expect(disclosures.text).to.contain('Dr. Ada Faculty').and.contain('Acme Pharma: speaker').and.contain('Globex Medical').and.contain('jointly accredited').and.contain('at least 70%');
    token = redirectOf(await post('/learner/disclosures', { s: token, acknowledge: 'on' })).token;
    const content = await get('/learner/content', token);
    expect(content.text).to.contain('<strong>qSOFA</strong>').and.not.contain('<script>alert');
    await spendMinutes(token, activityId, l.sub, 50);
    let next = redirectOf(await post('/learner/content', { s: token }));
    expect(next.path).to.equal('/learner/posttest');
    const questions = await posttestOf(activityId);
    next = redirectOf(await post('/learner/posttest', { s: next.token, ...answersAllCorrect(questions) }));
    expect(next.path).to.equal('/learner/evaluation');
    next = redirectOf(await post('/learner/evaluation', { s: next.token, ...evaluation }));
    expect(next.path).to.equal('/learner/attestation');
    const attestPage = await get('/learner/attestation', next.token);
    expect(attestPage.text).to.contain('Accrue recorded <strong>50 minute(s)</strong>');
    next = redirectOf(await post('/learner/attestation', { s: next.token, minutes: '60', attest: 'on' }));
    expect(next.path).to.equal('/learner/claim');
    const preview = await get('/learner/claim', next.token);
    expect(preview.status).to.equal(200);
    // 50 recorded minutes (60 attested): AMA rounds to the nearest quarter hour = 0.75; a physician receives no ANCC.
    expect(preview.text).to.contain('<strong>0.75 AMA PRA Category 1 Credit™</strong>').and.not.contain('ANCC contact hours</strong>');
    next = redirectOf(await post('/learner/claim', { s: next.token }));
    expect(next.path).to.equal('/learner/done');
    expect((await get('/learner/done', next.token)).text).to.contain('AMA_PRA_1').and.contain('0.75');

    const e = await enrollmentOf(activityId, l.sub);
    expect(e.step).to.equal('done');
    const claims = (await db().query<{ credit_type: string; awarded_amount: string; unit: string; status: string; claimed_minutes: number; rule_version: string; attested_text_version: string }>(
      'SELECT credit_type, awarded_amount, unit, status, claimed_minutes, rule_version, attested_text_version FROM credit_claim WHERE enrollment_id = $1', [e.id])).rows;
    expect(claims).to.have.length(1);
    expect(claims[0]).to.include({ credit_type: 'AMA_PRA_1', awarded_amount: '0.75', unit: 'credit', status: 'awarded', claimed_minutes: 50, attested_text_version: 'default-1' });
    expect(claims[0]!.rule_version).to.match(/^credit-rules-[0-9a-f]{12}$/);

    const kinds = (await db().query<{ kind: string }>('SELECT kind FROM completion_evidence WHERE enrollment_id = $1 ORDER BY id', [e.id])).rows.map((r) => r.kind);
    expect(kinds).to.deep.equal(['launch', 'disclosure_viewed', 'time_on_task', 'posttest', 'evaluation', 'attestation', 'claim']);
    const verbs = (await db().query<{ verb: string }>(
      "SELECT statement->'verb'->>'id' AS verb FROM lrs_statement WHERE statement->'context'->>'registration' = $1", [e.registration])).rows.map((r) => r.verb.split('/').pop());
    expect(verbs).to.have.members(['launched', 'acknowledged', 'experienced', 'answered', 'answered', 'passed', 'completed', 'attested', 'earned', 'issued']);
  });

  it('when a learner tries to skip ahead, then pages redirect to the current step and posts answer 409, never 500', async () => {
    const l = await startPath(activityId);
    for (const page of ['/learner/content', '/learner/posttest', '/learner/evaluation', '/learner/attestation', '/learner/claim', '/learner/done']) {
      const res = await get(page, l.token);
      expect(redirectOf(res).path, page).to.equal('/learner/disclosures');
    }
    const questions = await posttestOf(activityId);
    expect((await post('/learner/posttest', { s: l.token, ...answersAllCorrect(questions) })).status).to.equal(409);
    expect((await post('/learner/attestation', { s: l.token, minutes: '60', attest: 'on' })).status).to.equal(409);
    expect((await post('/learner/claim', { s: l.token })).status).to.equal(409);
    const evidence = await db().query("SELECT kind FROM completion_evidence e JOIN enrollment n ON n.id = e.enrollment_id WHERE n.sub = $1 AND kind <> 'launch'", [l.sub]);
    expect(evidence.rows).to.have.length(0);
  });

  it('when a learner leaves and launches again, then they resume where they stopped', async () => {
    const l = await startPath(activityId);
    redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    const again = await learnerLaunch(activityId, { sub: l.sub });
    expect(redirectOf(await get('/learner', again.token)).path).to.equal('/learner/content');
    expect((await get('/learner/disclosures', again.token)).status, 'disclosures stay readable').to.equal(200);
    const launches = await db().query("SELECT 1 FROM completion_evidence e JOIN enrollment n ON n.id = e.enrollment_id WHERE n.sub = $1 AND kind = 'launch'", [l.sub]);
    expect(launches.rows).to.have.length(2);
  });

  it('when the post-test is failed, then the attempt is recorded, the pass mark shown and the learner may try again', async () => {
    const l = await startPath(activityId);
    let token = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).token;
    token = redirectOf(await post('/learner/content', { s: token })).token;
    const page = await get('/learner/posttest', token);
    expect(page.text).to.contain('Pass mark: 70%');
    const questions = await posttestOf(activityId);
    const wrong = Object.fromEntries(questions.map((q) => [`q-${q.id}`, String(q.correct === 0 ? 1 : 0)]));
    const failed = await post('/learner/posttest', { s: token, ...wrong });
    expect(failed.status).to.equal(200);
    expect(failed.text).to.contain('Not passed').and.contain('0 of 2');
    const missing = await post('/learner/posttest', { s: token });
    expect(missing.status).to.equal(400);
    expect(missing.text).to.contain(`href="#f-q-${questions[0]!.id}"`);
    const passed = redirectOf(await post('/learner/posttest', { s: token, ...answersAllCorrect(questions) }));
    expect(passed.path).to.equal('/learner/evaluation');
    const attempts = (await db().query<{ success: boolean; score_scaled: string; attempt: string }>(
      "SELECT success, score_scaled, detail->>'attempt' AS attempt FROM completion_evidence e JOIN enrollment n ON n.id = e.enrollment_id WHERE n.sub = $1 AND kind = 'posttest' ORDER BY e.id", [l.sub])).rows;
    expect(attempts).to.deep.equal([{ success: false, score_scaled: '0.0000', attempt: '1' }, { success: true, score_scaled: '1.0000', attempt: '2' }]);
    const verbs = (await db().query<{ verb: string; scaled: string }>(
      "SELECT statement->'verb'->>'id' AS verb, statement->'result'->'score'->>'scaled' AS scaled FROM lrs_statement WHERE statement->'actor'->'account'->>'name' = $1 AND statement->'result'->'score' IS NOT NULL ORDER BY statement->>'timestamp'", [l.sub])).rows;
    expect(verbs.map((v) => [v.verb.split('/').pop(), Number(v.scaled)])).to.deep.equal([['failed', 0], ['passed', 1]]);
  });

  it('when the evaluation misses answers, then it is re-rendered with 400 and the answers given are kept', async () => {
    const { token: t } = await instructorIn();
    const noTest = await buildActivity(t, { learningFormat: 'course', passMarkPct: '', posttest: [] });
    const l = await startPath(noTest);
    let token = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).token;
    const afterContent = redirectOf(await post('/learner/content', { s: token }));
    expect(afterContent.path, 'no post-test step without questions').to.equal('/learner/evaluation');
    token = afterContent.token;
    const res = await post('/learner/evaluation', { s: token, objectivesMet: 'partly', intentToChange: 'yes', freeOfCommercialBias: 'no' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('href="#f-fairBalance"').and.contain('href="#f-changeDescription"').and.contain('href="#f-biasComment"');
    expect(res.text).to.match(/value="partly" id="f-objectivesMet-partly" checked/);
    expect(res.text).to.contain('<legend>Was the content fair and balanced?</legend>');
  });

  it('when completion evidence is changed or deleted in the database, then no row changes (append-only)', async () => {
    const l = await startPath(activityId);
    const e = await enrollmentOf(activityId, l.sub);
    const before = (await db().query('SELECT * FROM completion_evidence WHERE enrollment_id = $1 ORDER BY id', [e.id])).rows;
    expect(before).to.have.length(1);
    expect((await db().query("UPDATE completion_evidence SET kind = 'claim' WHERE enrollment_id = $1", [e.id])).rowCount).to.equal(0);
    expect((await db().query('DELETE FROM completion_evidence WHERE enrollment_id = $1', [e.id])).rowCount).to.equal(0);
    expect((await db().query('SELECT * FROM completion_evidence WHERE enrollment_id = $1 ORDER BY id', [e.id])).rows).to.deep.equal(before);
  });
});
