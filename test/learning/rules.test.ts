import { expect } from 'chai';
import { canView, heartbeatCredit, nextStep, normaliseStep, scoreAnswers, scorePosttest, stepsFor, TIMED_STEPS } from '../../src/learning/rules';

const q = (id: string, correct: number) => ({ id, prompt: id, options: ['a', 'b', 'c'], correct });

describe('Learner path rules (pure)', () => {
  it('when 7 of 10 answers are right and the pass mark is 70%, then the post-test is passed (no floating-point miss)', () => {
    const questions = Array.from({ length: 10 }, (_x, i) => q(`q${i}`, 0));
    const answers = Object.fromEntries(questions.map((x, i) => [x.id, i < 7 ? 0 : 1]));
    expect(scorePosttest(questions, answers, 70)).to.include({ correct: 7, total: 10, scaled: 0.7, passed: true });
    expect(scorePosttest(questions, answers, 71).passed).to.equal(false);
  });

  it('when an activity has no post-test or no evaluation, then those steps are not on its path', () => {
    expect(stepsFor({ posttest: [], pretest: false, requiresEvaluation: false })).to.deep.equal(['disclosures', 'content', 'attestation', 'claim', 'done']);
    expect(nextStep(stepsFor({ posttest: [q('a', 0)], pretest: false, requiresEvaluation: true }), 'content')).to.equal('posttest');
    expect(normaliseStep(['disclosures', 'content', 'attestation', 'claim', 'done'], 'posttest'), 'a dropped step moves on').to.equal('attestation');
  });

  it('when an activity gives a pre-test, then it comes after the disclosures and before the content; without questions there is none', () => {
    const steps = stepsFor({ posttest: [q('a', 0)], pretest: true, requiresEvaluation: true });
    expect(steps).to.deep.equal(['disclosures', 'pretest', 'content', 'posttest', 'evaluation', 'attestation', 'claim', 'done']);
    expect(nextStep(steps, 'disclosures')).to.equal('pretest');
    expect(stepsFor({ posttest: [], pretest: true, requiresEvaluation: false })).to.not.include('pretest');
    expect(canView(steps, 'pretest', 'content'), 'no content before the pre-test').to.deep.equal({ ok: false, redirectTo: 'pretest' });
    expect(canView(steps, 'content', 'pretest'), 'the pre-test is taken once, never reopened').to.deep.equal({ ok: false, redirectTo: 'content' });
    expect(TIMED_STEPS).to.not.include('pretest');
  });

  it('when pre-test answers are scored, then the score has no pass/fail and unanswered questions count as wrong', () => {
    const r = scoreAnswers([q('a', 0), q('b', 2), q('c', 1)], { a: 0, b: 1 });
    expect(r).to.not.have.property('passed');
    expect(r).to.include({ correct: 1, total: 3, scaled: 0.3333 });
    expect(r.perQuestion.map((x) => [x.id, x.chosen, x.correct])).to.deep.equal([['a', 0, true], ['b', 1, false], ['c', -1, false]]);
  });

  it('when a learner asks for a step, then only the current one or a finished disclosure/content page opens', () => {
    const steps = stepsFor({ posttest: [q('a', 0)], pretest: false, requiresEvaluation: true });
    expect(canView(steps, 'evaluation', 'content')).to.deep.equal({ ok: true });
    expect(canView(steps, 'evaluation', 'posttest')).to.deep.equal({ ok: false, redirectTo: 'evaluation' });
    expect(canView(steps, 'content', 'claim')).to.deep.equal({ ok: false, redirectTo: 'content' });
  });

  it('when heartbeats are credited, then never more than the wall-clock, never more than the cap, nothing after a pause', () => {
    const now = new Date('2026-01-01T10:00:30Z');
    expect(heartbeatCredit({ last: new Date('2026-01-01T10:00:00Z'), now, capSeconds: 60 })).to.equal(30);
    expect(heartbeatCredit({ last: new Date('2026-01-01T09:00:00Z'), now, capSeconds: 60 })).to.equal(60);
    expect(heartbeatCredit({ last: null, now, capSeconds: 60 })).to.equal(0);
    expect(heartbeatCredit({ last: new Date('2026-01-01T10:01:00Z'), now, capSeconds: 60 }), 'a clock going backwards').to.equal(0);
  });
});
