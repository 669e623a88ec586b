import { expect } from 'chai';
import { harness } from '../helpers/harness';
import { buildActivity, createActivity, get, instructorIn, post, uniq } from '../helpers/cme';
import { launch, learner } from '../helpers/launch';

describe('Course builder: activities', () => {
  it('when an instructor creates and fills in an enduring activity, then it is published with its sections saved', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token, { title: 'Sepsis 2026' });
    const page = await get(`/builder/activities/${id}`, token);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Sepsis 2026').and.contain('Published').and.contain('AMA PRA Category 1 Credit™: up to 1.5');
    const row = (await harness().accrue.accrue.db.query<{ status: string; objectives: string[]; content: { html: string } }>(
      'SELECT status, objectives, content FROM activity WHERE id = $1', [id])).rows[0]!;
    expect(row.status).to.equal('published');
    expect(row.objectives).to.deep.equal(['Recognise sepsis early', 'Start the bundle within one hour']);
    expect(row.content.html).to.contain('<strong>qSOFA</strong>').and.not.contain('script');
  });

  it('when an instructor ticks the pre-test, then the activity gives its post-test questions before the content; without questions the form refuses', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token, { title: 'Sepsis with a pre-test', pretest: true });
    const row = (await harness().accrue.accrue.db.query<{ pretest: boolean }>('SELECT pretest FROM activity WHERE id = $1', [id])).rows[0]!;
    expect(row.pretest).to.equal(true);
    const overview = await get(`/builder/activities/${id}`, token);
    expect(overview.text).to.contain('2 post-test question(s), pass mark 70%; the same questions as a pre-test before the content');
    const form = await get(`/builder/activities/${id}/requirements`, token);
    expect(form.text).to.match(/<input type="checkbox" id="f-pretest" name="pretest" value="on" checked>/).and.contain('<label for="f-pretest">Pre-test:');

    const bare = await createActivity(token, 'No questions yet');
    const refused = await post(`/builder/activities/${bare}/requirements`, { s: token, passMarkPct: '', minMinutes: '0', pretest: 'on', evaluationQuestions: '' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('href="#f-pretest"').and.contain('add post-test questions, or untick the pre-test').and.match(/id="f-pretest"[^>]*checked[^>]*aria-invalid="true"/);
    const plain = await buildActivity(token, { title: 'Without' });
    expect((await get(`/builder/activities/${plain}`, token)).text).to.not.contain('as a pre-test');
  });

  it('when the activity list is opened, then it shows only the activities of the instructor\'s course', async () => {
    const a = await instructorIn();
    const b = await instructorIn();
    await createActivity(a.token, 'Course A activity');
    await createActivity(b.token, 'Course B activity');
    const page = await get('/builder', a.token);
    expect(page.text).to.contain('Course A activity').and.not.contain('Course B activity');
  });

  it('when an instructor of another course opens or edits an activity, then it answers 404 and nothing changes', async () => {
    const owner = await instructorIn();
    const other = await instructorIn();
    const id = await createActivity(owner.token, 'Private activity');
    expect((await get(`/builder/activities/${id}`, other.token)).status).to.equal(404);
    const res = await post(`/builder/activities/${id}/details`, { s: other.token, title: 'Hijacked', learningFormat: 'course', objectives: 'x' });
    expect(res.status).to.equal(404);
    const title = (await harness().accrue.accrue.db.query<{ title: string }>('SELECT title FROM activity WHERE id = $1', [id])).rows[0]!.title;
    expect(title).to.equal('Private activity');
  });

  it('when a learner opens the builder, then it is refused with 403', async () => {
    const { accrue, lms } = harness();
    const l = await launch(accrue.url, lms.platform, learner({ sub: uniq('learner') }));
    expect((await get('/builder', l.token)).status).to.equal(403);
    expect((await post('/builder/activities', { s: l.token, title: 'x', learningFormat: 'course' })).status).to.equal(403);
  });

  it('when a form has invalid fields, then it is re-rendered with 400, an error summary linking to each field and the typed values', async () => {
    const { token } = await instructorIn();
    const id = await createActivity(token);
    const res = await post(`/builder/activities/${id}/details`, {
      s: token, title: '', learningFormat: 'podcast', startDate: '2026-13-45', objectives: 'Keep this', expectedResults: ['nonsense'],
    });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('href="#f-title"').and.contain('href="#f-learningFormat"').and.contain('href="#f-startDate"');
    expect(res.text).to.contain('id="f-title"').and.contain('aria-invalid="true"').and.contain('Keep this');
    expect(res.text).to.match(/<title>Error: /);
  });

  it('when a relationship is typed without its nature or without mitigation, then the disclosure form or publishing says so', async () => {
    const { token } = await instructorIn();
    const id = await createActivity(token);
    const bad = await post(`/builder/activities/${id}/disclosures`, { s: token, people: [{ name: 'Dr. X', role: 'faculty', relationships: 'Acme', mitigation: '' }] });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('href="#f-people-0-relationships"');
    const ok = await post(`/builder/activities/${id}/disclosures`, { s: token, people: [{ name: 'Dr. X', role: 'faculty', relationships: 'Acme: advisor', mitigation: '' }] });
    expect(ok.status).to.equal(303);
    const publish = await post(`/builder/activities/${id}/publish`, { s: token });
    expect(publish.status).to.equal(400);
    expect(publish.text).to.contain('Dr. X: say how the relevant relationships were mitigated');
  });

  it('when an ACPE UAN is malformed or names the wrong audience, then the credit form refuses it', async () => {
    const { token } = await instructorIn();
    const id = await createActivity(token, 'Pharmacy update', 'enduring');
    const bad = await post(`/builder/activities/${id}/credit`, {
      s: token, designations: { ACPE_P: { maxAmount: '1', uan: '0129-0000-25-001-H01-T', activityType: 'knowledge' }, ACPE_T: { maxAmount: '1', uan: 'JA123-1', activityType: '' } },
    });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('ends in T but the designation is for pharmacists').and.contain('href="#f-designations-ACPE_T-uan"').and.contain('href="#f-designations-ACPE_T-activityType"');
    const live = await post(`/builder/activities/${id}/credit`, { s: token, designations: { ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-076-L01-P', activityType: 'knowledge' } } });
    expect(live.status).to.equal(400);
    expect(live.text).to.contain('expected H');
    const good = await post(`/builder/activities/${id}/credit`, { s: token, designations: { ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-076-H01-P', activityType: 'application' }, AMA_PRA_1: { maxAmount: '1.3' } } });
    expect(good.status).to.equal(400);
    expect(good.text).to.contain('quarter hours');
    const fixed = await post(`/builder/activities/${id}/credit`, { s: token, designations: { ACPE_P: { maxAmount: '1', uan: 'ja0006235-9999-25-076-h01-p', activityType: 'application' } }, moc: [{ board: 'ABP', maxPoints: '1', partialAllowed: '' }] });
    expect(fixed.status).to.equal(303);
    const rows = (await harness().accrue.accrue.db.query<{ acpe_uan: string; acpe_audience: string }>('SELECT acpe_uan, acpe_audience FROM activity_designation WHERE activity_id = $1', [id])).rows;
    expect(rows).to.deep.equal([{ acpe_uan: 'JA0006235-9999-25-076-H01-P', acpe_audience: 'P' }]);
  });

  it('when an enduring or journal-based activity has no post-test pass mark, then it cannot be published', async () => {
    const { token } = await instructorIn();
    for (const format of ['enduring', 'journal']) {
      const id = await buildActivity(token, { learningFormat: format, passMarkPct: '', posttest: [], publish: false });
      const res = await post(`/builder/activities/${id}/publish`, { s: token });
      expect(res.status, format).to.equal(400);
      expect(res.text).to.contain('need a post-test with a pass mark');
      const status = (await harness().accrue.accrue.db.query<{ status: string }>('SELECT status FROM activity WHERE id = $1', [id])).rows[0]!.status;
      expect(status).to.equal('draft');
    }
    const live = await buildActivity(token, { learningFormat: 'course', passMarkPct: '', posttest: [], publish: false });
    expect((await post(`/builder/activities/${live}/publish`, { s: token })).status).to.equal(303);
  });

  it('when a statement is edited, then a new version is kept and the old one stays', async () => {
    const { token } = await instructorIn();
    const id = await buildActivity(token);
    const res = await post(`/builder/activities/${id}/statements`, { s: token, statements: { accreditation: 'Revised accreditation wording.', designation: 'Example University designates this enduring material for a maximum of 1.5 AMA PRA Category 1 Credits™.' } });
    expect(res.status).to.equal(303);
    const rows = (await harness().accrue.accrue.db.query<{ version: number; text: string }>(
      "SELECT version, text FROM activity_statement WHERE activity_id = $1 AND kind = 'accreditation' ORDER BY version", [id])).rows;
    expect(rows.map((r) => r.version)).to.deep.equal([1, 2]);
    expect(rows[1]!.text).to.equal('Revised accreditation wording.');
    const designations = (await harness().accrue.accrue.db.query("SELECT 1 FROM activity_statement WHERE activity_id = $1 AND kind = 'designation'", [id])).rows;
    expect(designations).to.have.length(1);
  });

  it('when the section is unknown or the id malformed, then it answers 404, never 500', async () => {
    const { token } = await instructorIn();
    const id = await createActivity(token);
    expect((await get(`/builder/activities/${id}/nonsense`, token)).status).to.equal(404);
    expect((await get('/builder/activities/not-a-uuid', token)).status).to.equal(404);
    expect((await post('/builder/activities/not-a-uuid/details', { s: token, title: 'x' })).status).to.equal(404);
  });
});
