/**
 * Outcomes of an activity with a pre-test: the pre/post change computed from learners with known answers, on the
 * page (SVG chart + table) and in the CSV; only learners with both a pre-test and a post-test count; learners
 * cannot see outcomes. The roster shows each learner's pre-test score.
 */
import { expect } from 'chai';
import { get, instructorIn, post, uniq } from '../helpers/cme';
import { posttestOf, redirectOf, spendMinutes, startPath, physician } from '../helpers/learner-path';
import { course, getText, parseCsv } from './fixtures';

/** Answers by position: `[a, b]` = option a for the first question, b for the second. */
const answers = (questions: { id: string }[], chosen: number[]) => Object.fromEntries(questions.map((q, i) => [`q-${q.id}`, String(chosen[i])]));

/** A learner who takes the pre-test, then (unless `post` is empty) the content and each post-test attempt given. */
async function learnerWith(activityId: string, contextId: string, o: { pre: number[]; post: number[][] }) {
  const questions = await posttestOf(activityId);
  const l = await startPath(activityId, physician, { contextId });
  let next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
  expect(next.path).to.equal('/learner/pretest');
  next = redirectOf(await post('/learner/pretest', { s: next.token, ...answers(questions, o.pre) }));
  expect(next.path).to.equal('/learner/content');
  if (o.post.length === 0) return { ...l, token: next.token };
  await spendMinutes(next.token, activityId, l.sub, 5);
  next = redirectOf(await post('/learner/content', { s: next.token }));
  let token = next.token;
  for (const attempt of o.post) {
    const res = await post('/learner/posttest', { s: token, ...answers(questions, attempt) });
    if (res.status === 303) token = redirectOf(res).token;
    else expect(res.status, 'a failed attempt re-renders the post-test').to.equal(200);
  }
  return { ...l, token };
}

describe('Reports: outcomes before and after the content (pre-test)', () => {
  // The default post-test: "First step in suspected sepsis?" (correct: option 1 of 0..2) and "Antibiotics within?"
  // (correct: option 0 of 0..1); pass mark 70%.
  let activityId: string;
  let instructor: { token: string };
  let learnerToken: string;
  before(async () => {
    const c = await course({ title: 'Sepsis pre/post', pretest: true });
    activityId = c.activityId;
    instructor = c.instructor;
    // A: 0/2 before; 2/2 at the first post-test.
    learnerToken = (await learnerWith(activityId, c.contextId, { pre: [0, 1], post: [[1, 0]] })).token;
    // B: 1/2 before (first question right); 2/2 after.
    await learnerWith(activityId, c.contextId, { pre: [1, 1], post: [[1, 0]] });
    // C: 1/2 before (second question right); 1/2 at the first attempt (failed: first right, second wrong), 2/2 at the second.
    await learnerWith(activityId, c.contextId, { pre: [0, 0], post: [[1, 1], [1, 0]] });
    // D: 2/2 before and no post-test yet: counts as having taken the pre-test, not in the change.
    await learnerWith(activityId, c.contextId, { pre: [1, 0], post: [] });
  });

  it('when a registrar opens the outcomes, then the mean and per-question change of learners with both are a chart and a table', async () => {
    const res = await get(`/reports/activities/${activityId}/outcomes`, instructor.token);
    expect(res.status).to.equal(200);
    // Means over A, B, C: before (0 + 0.5 + 0.5) / 3 = 33%, after (1 + 1 + 0.5) / 3 = 83% (first attempts): +50 points.
    expect(res.text).to.contain('<dt>Took the pre-test</dt><dd>4</dd>');
    expect(res.text).to.contain('<dt>Pre-test to first post-test, mean (learners with both)</dt><dd>33% → 83% (+50 points; 3 learners)</dd>');
    expect(res.text).to.contain('Only the 3 learners who took both the pre-test and the post-test count here');
    expect(res.text).to.contain('<th scope="row">Mean score, all questions</th><td>33%</td><td>83%</td><td>+50 points</td>');
    // First question: right before only for B (1 of 3); right at every first attempt (3 of 3).
    expect(res.text).to.contain('<th scope="row">First step in suspected sepsis?</th><td>1 of 3 (33%)</td><td>3 of 3 (100%)</td><td>+67 points</td>');
    // Second question: right before only for C (1 of 3); after for A and B, not C's first attempt (2 of 3).
    expect(res.text).to.contain('<th scope="row">Antibiotics within?</th><td>1 of 3 (33%)</td><td>2 of 3 (67%)</td><td>+33 points</td>');
    expect(res.text).to.match(/<svg[^>]*role="img"[^>]*aria-labelledby="prepost-title prepost-desc"/);
    expect(res.text).to.contain('<title id="prepost-title">Before and after the content: pre-test and first post-test</title>');
    expect(res.text).to.contain('3 learners took both the pre-test and the post-test (4 took the pre-test). Their mean score was 33% before the content and 83% at the first post-test attempt (+50 points).');
    expect(res.text).to.contain('>Before: 33%</text>').and.contain('>After: 100% (+67 points)</text>').and.contain('>After: 67% (+33 points)</text>');
    expect(res.text).to.contain('<th scope="row">Took the pre-test</th><td>4 of 4 (100%)</td>');
  });

  it('when the outcomes are downloaded as CSV, then the pre/post rows carry learners with both, correct answers, percents and the change', async () => {
    const csv = parseCsv((await getText(`/reports/activities/${activityId}/outcomes.csv`, instructor.token)).text);
    expect(csv[0]).to.deep.equal(['Section', 'Measure', 'Count', 'Of', 'Percent', 'Learners with both', 'Pre-test correct', 'Post-test correct',
      'Pre-test percent', 'Post-test percent', 'Change (percentage points)']);
    expect(csv.every((r) => r.length === 11), 'every record has the same columns').to.equal(true);
    const prepost = csv.filter((r) => r[0] === 'Pre-test and post-test');
    expect(prepost).to.deep.equal([
      ['Pre-test and post-test', 'Mean score, all questions', '', '', '', '3', '', '', '33.3', '83.3', '50'],
      ['Pre-test and post-test', 'First step in suspected sepsis?', '', '', '', '3', '1', '3', '33.3', '100', '66.7'],
      ['Pre-test and post-test', 'Antibiotics within?', '', '', '', '3', '1', '2', '33.3', '66.7', '33.3'],
    ]);
    expect(csv).to.deep.include(['Completion funnel', 'Took the pre-test', '4', '4', '100', '', '', '', '', '', '']);
  });

  it('when a registrar opens the roster, then each learner\'s pre-test score is a column of the page and the last column of the CSV, and the step is named', async () => {
    const c = await course({ title: 'Roster with a pre-test', pretest: true });
    const before = await learnerWith(c.activityId, c.contextId, { pre: [1, 1], post: [] }); // 1/2, now at the content
    const both = await learnerWith(c.activityId, c.contextId, { pre: [0, 1], post: [[1, 0]] }); // 0/2, then passed
    const res = await get(`/reports/activities/${c.activityId}`, c.instructor.token);
    expect(res.status).to.equal(200);
    expect(res.text).to.contain('<th scope="col">Disclosures</th><th scope="col">Pre-test</th><th scope="col">Content</th>');
    const cells = (sub: string) => [...(new RegExp(`<tr data-learner="${sub}">([\\s\\S]*?)</tr>`).exec(res.text)?.[1] ?? '').matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]);
    expect(cells(before.sub).slice(1, 3)).to.deep.equal(['done', '50%']);
    expect(cells(both.sub).slice(1, 3)).to.deep.equal(['done', '0%']);
    expect(cells('sandbox-learner').slice(1, 3), 'a course member who never launched').to.deep.equal(['—', '—']);

    const csv = parseCsv((await getText(`/reports/activities/${c.activityId}/roster.csv`, c.instructor.token)).text);
    expect(csv[0]![14]).to.equal('Pre-test score');
    const row = (sub: string) => csv.find((r) => r[1] === sub) ?? [];
    expect([row(before.sub)[4], row(before.sub)[14]]).to.deep.equal(['Content', '0.5']);
    expect([row(both.sub)[4], row(both.sub)[14]]).to.deep.equal(['Evaluation', '0']);
    expect(csv.find((r) => r[1] === 'sandbox-learner')?.[14]).to.equal('');
  });

  it('when a learner has only reached the pre-test, then the roster CSV names the step "Pre-test" and leaves the score empty', async () => {
    const c = await course({ title: 'Roster at the pre-test', pretest: true });
    const l = await startPath(c.activityId, physician, { contextId: c.contextId });
    expect(redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' })).path).to.equal('/learner/pretest');
    const row = parseCsv((await getText(`/reports/activities/${c.activityId}/roster.csv`, c.instructor.token)).text).find((r) => r[1] === l.sub);
    expect([row?.[4], row?.[14]]).to.deep.equal(['Pre-test', '']);
  });

  it('when a learner asks for the outcomes, then they are refused; an instructor of another course gets 404', async () => {
    expect((await get(`/reports/activities/${activityId}/outcomes`, learnerToken)).status).to.equal(403);
    expect((await get(`/reports/activities/${activityId}/outcomes.csv`, learnerToken)).status).to.equal(403);
    const stranger = await instructorIn(uniq('other-course'));
    expect((await get(`/reports/activities/${activityId}/outcomes`, stranger.token)).status).to.equal(404);
    expect((await get(`/reports/activities/${activityId}/outcomes.csv`, stranger.token)).status).to.equal(404);
  });

  it('when an activity has a pre-test nobody has paired with a post-test yet, then the change is not computed from anyone', async () => {
    const c = await course({ title: 'Only pre-tests', pretest: true });
    await learnerWith(c.activityId, c.contextId, { pre: [1, 0], post: [] });
    const res = await get(`/reports/activities/${c.activityId}/outcomes`, c.instructor.token);
    expect(res.text).to.contain('<dd>— → — (—; 0 learners)</dd>').and.contain('No learner has taken both the pre-test and the post-test yet (1 took the pre-test).');
    expect(res.text).to.contain('<th scope="row">First step in suspected sepsis?</th><td>0 of 0</td><td>0 of 0</td><td>—</td>');
  });
});
