import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post } from '../helpers/cme';
import { hiddenFields } from '../helpers/client-storage';
import { answersAllCorrect, enrollmentOf, evaluation, posttestOf, redirectOf, spendMinutes, startPath } from '../helpers/learner-path';

const db = () => harness().accrue.accrue.db;

/** Every answer wrong: the option after the correct one. */
const answersAllWrong = (questions: { id: string; correct: number }[]) => Object.fromEntries(questions.map((q) => [`q-${q.id}`, String(q.correct === 0 ? 1 : 0)]));

async function statementsOf(ids: string[]) {
  const r = await db().query<{ id: string; statement: Record<string, any> }>('SELECT id, statement FROM lrs_statement WHERE id = ANY($1::uuid[])', [ids]);
  return ids.map((id) => r.rows.find((x) => x.id === id)!.statement);
}

describe('Learner path: the pre-test', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token, { title: 'Sepsis with a pre-test', pretest: true });
  });

  it('when the activity has a pre-test, then it comes after the disclosures, the content waits for it, and it is taken once', async () => {
    const l = await startPath(activityId);
    let next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    expect(next.path).to.equal('/learner/pretest');
    const token = next.token;

    // Order enforced: the content (and anything later) is not open before the pre-test.
    expect(redirectOf(await get('/learner/content', token)).path).to.equal('/learner/pretest');
    expect(redirectOf(await get('/learner/posttest', token)).path).to.equal('/learner/pretest');
    expect((await post('/learner/content', { s: token })).status).to.equal(409);
    const questions = await posttestOf(activityId);
    expect((await post('/learner/posttest', { s: token, ...answersAllCorrect(questions) })).status).to.equal(409);

    const page = await get('/learner/pretest', token);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('<li aria-current="step">Pre-test</li>').and.contain('not graded');
    expect(page.text).to.contain('<legend>1. First step in suspected sepsis?</legend>').and.not.contain('Pass mark');

    // Unanswered: 400, an error summary linking to each question's first option, the fieldset described by its error.
    const empty = await post('/learner/pretest', { s: token });
    expect(empty.status).to.equal(400);
    for (const q of questions) {
      expect(empty.text).to.contain(`<a href="#f-q-${q.id}">`).and.contain(`id="f-q-${q.id}"`).and.contain(`aria-describedby="f-q-${q.id}-error"`);
    }

    // Every answer wrong: the pre-test is not graded, so the path moves on to the content all the same.
    next = redirectOf(await post('/learner/pretest', { s: token, ...answersAllWrong(questions) }));
    expect(next.path).to.equal('/learner/content');
    expect((await post('/learner/pretest', { s: next.token, ...answersAllCorrect(questions) })).status, 'taken once').to.equal(409);
    expect(redirectOf(await get('/learner/pretest', next.token)).path, 'never reopened').to.equal('/learner/content');
    expect((await get('/learner/content', next.token)).status).to.equal(200);

    const e = await enrollmentOf(activityId, l.sub);
    const ev = (await db().query<{ score_scaled: string; success: boolean | null; detail: Record<string, any>; statement_ids: string[] }>(
      "SELECT score_scaled, success, detail, statement_ids FROM completion_evidence WHERE enrollment_id = $1 AND kind = 'pretest'", [e.id])).rows;
    expect(ev).to.have.length(1);
    expect(Number(ev[0]!.score_scaled)).to.equal(0);
    expect(ev[0]!.success, 'no pass or fail').to.equal(null);
    expect(ev[0]!.detail).to.deep.include({ correct: 0, total: 2 });
    expect(ev[0]!.detail.answers).to.deep.equal(Object.fromEntries(questions.map((q) => [q.id, q.correct === 0 ? 1 : 0])));

    // Statements in the LRS, in the evidence's transaction: one answered per question and one attempted, all marked.
    const ext = `${harness().accrue.url}/xapi/extensions/pretest`;
    const statements = await statementsOf(ev[0]!.statement_ids);
    expect(statements.map((s) => s.verb.id)).to.deep.equal([
      'http://adlnet.gov/expapi/verbs/answered', 'http://adlnet.gov/expapi/verbs/answered', 'http://adlnet.gov/expapi/verbs/attempted']);
    for (const s of statements) {
      expect(s.context.extensions[ext], s.verb.id).to.equal(true);
      expect(s.context.registration).to.equal(e.registration);
    }
    expect(statements[0]!.object.id).to.equal(`${harness().accrue.url}/activities/${activityId}/posttest/${questions[0]!.id}`);
    expect(statements[0]!.result).to.deep.equal({ success: false, response: String(questions[0]!.correct === 0 ? 1 : 0) });
    expect(statements[2]!.result).to.deep.equal({ completion: true, score: { scaled: 0, raw: 0, min: 0, max: 2 } });
  });

  it('when a learner scored nothing on the pre-test, then the post-test, evaluation and claim still award credit', async () => {
    const l = await startPath(activityId);
    let next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    const questions = await posttestOf(activityId);
    next = redirectOf(await post('/learner/pretest', { s: next.token, ...answersAllWrong(questions) }));
    await spendMinutes(next.token, activityId, l.sub, 30);
    next = redirectOf(await post('/learner/content', { s: next.token }));
    expect(next.path).to.equal('/learner/posttest');
    next = redirectOf(await post('/learner/posttest', { s: next.token, ...answersAllCorrect(questions) }));
    next = redirectOf(await post('/learner/evaluation', { s: next.token, ...evaluation }));
    next = redirectOf(await post('/learner/attestation', { s: next.token, minutes: '30', attest: 'on' }));
    expect(redirectOf(await post('/learner/claim', { s: next.token })).path).to.equal('/learner/done');
    const e = await enrollmentOf(activityId, l.sub);
    const claims = await db().query<{ credit_type: string; awarded_amount: string }>('SELECT credit_type, awarded_amount FROM credit_claim WHERE enrollment_id = $1', [e.id]);
    expect(claims.rows).to.deep.equal([{ credit_type: 'AMA_PRA_1', awarded_amount: '0.50' }]);
    // Time on the pre-test is not on-content time: the measured time is the content's 30 minutes only.
    expect(Number(e.measured_seconds)).to.equal(1800);
  });
});

describe('Builder: the pre-test is frozen once learners start', () => {
  const requirements = async (id: string) =>
    (await db().query<{ posttest: { id: string; prompt: string; options: string[]; correct: number }[] }>('SELECT posttest FROM activity WHERE id = $1', [id])).rows[0]!.posttest;
  const form = (token: string, questions: { id: string; prompt: string; options: string[]; correct: number }[], extra: Record<string, unknown>) => ({
    s: token, passMarkPct: '70', minMinutes: '0', requiresEvaluation: 'on', evaluationQuestions: '',
    posttest: questions.map((q) => ({ id: q.id, prompt: q.prompt, options: q.options.join('\n'), correct: String(q.correct + 1) })), ...extra,
  });

  it('when a learner has started an activity with a pre-test, then the pre-test and its questions cannot change, but the pass mark can', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token, { pretest: true });
    await startPath(id);
    const questions = await requirements(id);
    const page = await get(`/builder/activities/${id}/requirements`, token);
    expect(page.text).to.contain('<strong>Frozen:</strong>').and.match(/id="f-pretest" name="pretest" value="on" checked disabled/).and.contain('<input type="hidden" name="pretest" value="on">');

    const off = await post(`/builder/activities/${id}/requirements`, form(token, questions, {}));
    expect(off.status).to.equal(409);
    expect(off.text).to.contain('pre-test can no longer change');
    const reworded = await post(`/builder/activities/${id}/requirements`, form(token, questions.map((q, i) => (i === 0 ? { ...q, prompt: `${q.prompt} (reworded)` } : q)), { pretest: 'on' }));
    expect(reworded.status).to.equal(409);
    expect(reworded.text).to.contain('questions are frozen');
    const newKey = await post(`/builder/activities/${id}/requirements`, form(token, questions.map((q, i) => (i === 1 ? { ...q, correct: 1 } : q)), { pretest: 'on' }));
    expect(newKey.status).to.equal(409);
    expect(await requirements(id)).to.deep.equal(questions);

    const passMark = await post(`/builder/activities/${id}/requirements`, form(token, questions, { pretest: 'on', passMarkPct: '80' }));
    expect(passMark.status, passMark.text.slice(0, 300)).to.equal(303);
    expect((await db().query('SELECT pass_mark_pct, pretest FROM activity WHERE id = $1', [id])).rows[0]).to.deep.equal({ pass_mark_pct: 80, pretest: true });
  });

  it('when the pre-test froze the questions, then the page shows them read only with its reason, and saving the page as shown keeps them', async () => {
    const { token } = await instructorIn();
    const tricky = [
      { prompt: 'Dose for a "5 kg" infant & <1 month?', options: '10 mg\n20 mg\n\'30\' mg', correct: '2' },
      { prompt: 'Antibiotics within?', options: '1 hour\n6 hours', correct: '1' },
    ];
    const id = await buildActivity(token, { pretest: true, posttest: tricky });
    const open = await get(`/builder/activities/${id}/requirements`, token);
    expect(open.text, 'editable before any learner').to.contain('id="f-posttest-0-prompt"').and.not.contain('id="posttest-frozen"');
    await startPath(id);
    const questions = await requirements(id);

    const page = await get(`/builder/activities/${id}/requirements`, token);
    expect(page.status).to.equal(200);
    expect(page.text, 'no editable question field').not.to.match(/id="f-posttest-\d+-(prompt|options|correct|remove)"/);
    expect(page.text).to.contain('<ol class="frozen-questions" aria-labelledby="h-posttest" aria-describedby="posttest-frozen">')
      .and.match(/<p class="hint" id="posttest-frozen">Read only: learners have answered these questions in the pre-test/);
    expect(page.text).to.contain('<p>Dose for a &quot;5 kg&quot; infant &amp; &lt;1 month?</p>')
      .and.contain('<ol><li>10 mg</li><li>20 mg <strong>(correct answer)</strong></li><li>&#x27;30&#x27; mg</li></ol>');

    // What the page sends back: its hidden fields (session, pre-test, the frozen questions) and a new pass mark.
    const fields = hiddenFields(page.text);
    expect(Object.keys(fields).filter((k) => k.startsWith('posttest['))).to.have.length(8);
    const saved = await post(`/builder/activities/${id}/requirements`, { ...fields, passMarkPct: '75', minMinutes: '0', requiresEvaluation: 'on', evaluationQuestions: '' });
    expect(saved.status, saved.text.slice(0, 500)).to.equal(303);
    expect(await requirements(id)).to.deep.equal(questions);
    expect((await db().query('SELECT pass_mark_pct FROM activity WHERE id = $1', [id])).rows[0]).to.deep.equal({ pass_mark_pct: 75 });

    // A rejected submission re-renders the saved questions, not what was posted; the server still refuses an edit.
    const tampered = { ...fields, 'posttest[0][prompt]': 'Reworded', minMinutes: '0', requiresEvaluation: 'on', evaluationQuestions: '' };
    const invalid = await post(`/builder/activities/${id}/requirements`, { ...tampered, passMarkPct: '170' });
    expect(invalid.status).to.equal(400);
    expect(invalid.text).to.contain('<p>Dose for a &quot;5 kg&quot; infant &amp; &lt;1 month?</p>').and.not.contain('Reworded');
    expect((await post(`/builder/activities/${id}/requirements`, { ...tampered, passMarkPct: '70' })).status).to.equal(409);
  });

  it('when a learner has started an activity without a pre-test, then one cannot be added, while its questions stay editable', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token);
    await startPath(id);
    const questions = await requirements(id);
    const page = await get(`/builder/activities/${id}/requirements`, token);
    expect(page.text).to.contain('id="f-posttest-0-prompt"').and.not.contain('id="posttest-frozen"');
    expect((await post(`/builder/activities/${id}/requirements`, form(token, questions, { pretest: 'on' }))).status).to.equal(409);
    const edited = await post(`/builder/activities/${id}/requirements`, form(token, questions.map((q, i) => (i === 0 ? { ...q, prompt: 'Reworded' } : q)), {}));
    expect(edited.status).to.equal(303);
    expect((await db().query('SELECT pretest FROM activity WHERE id = $1', [id])).rows[0]).to.deep.equal({ pretest: false });
  });
});
