import { expect } from 'chai';
import { canView, heartbeatCredit, nextStep, normaliseStep, scorePosttest, stepsFor } from '../../src/learning/rules';

const q = (id: string, correct: number) => ({ id, prompt: id, options: ['a', 'b', 'c'], correct });

describe('Learner path rules (pure)', () => {
  it('when 7 of 10 answers are right and the pass mark is 70%, then the post-test is passed (no floating-point miss)', () => {
    const questions = Array.from({ length: 10 }, (_x, i) => q(`q${i}`, 0));
    const answers = Object.fromEntries(questions.map((x, i) => [x.id, i < 7 ? 0 : 1]));
    expect(scorePosttest(questions, answers, 70)).to.include({ correct: 7, total: 10, scaled: 0.7, passed: true });
    expect(scorePosttest(questions, answers, 71).passed).to.equal(false);
  });

  it('when an activity has no post-test or no evaluation, then those steps are not on its path', () => {
    expect(stepsFor({ posttest: [], requiresEvaluation: false })).to.deep.equal(['disclosures', 'content', 'attestation', 'claim', 'done']);
    expect(nextStep(stepsFor({ posttest: [q('a', 0)], requiresEvaluation: true }), 'content')).to.equal('posttest');
    expect(normaliseStep(['disclosures', 'content', 'attestation', 'claim', 'done'], 'posttest'), 'a dropped step moves on').to.equal('attestation');
  });

  it('when a learner asks for a step, then only the current one or a finished disclosure/content page opens', () => {
    const steps = stepsFor({ posttest: [q('a', 0)], requiresEvaluation: true });
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
