/**
 * Rules of the learner's path (no I/O): which steps an activity has and in what order, what a learner may open,
 * how heartbeats become measured time, and how a post-test is scored.
 */
import { hasPretest, type Activity, type PosttestQuestion } from '../activities';
import { STEPS, type Step } from './model';

/** The steps of this activity's path, in order: no pre-test unless given, no post-test step without questions, no evaluation when not required. */
export function stepsFor(a: Pick<Activity, 'posttest' | 'pretest' | 'requiresEvaluation'>): Step[] {
  return STEPS.filter((s) => (s !== 'pretest' || hasPretest(a)) && (s !== 'posttest' || a.posttest.length > 0) && (s !== 'evaluation' || a.requiresEvaluation));
}

export function nextStep(steps: Step[], current: Step): Step {
  const i = steps.indexOf(current);
  return i < 0 || i === steps.length - 1 ? 'done' : steps[i + 1]!;
}

/** Where a stored step stands now (the activity may have dropped its post-test since): the first step not behind it. */
export function normaliseStep(steps: Step[], stored: Step): Step {
  if (steps.includes(stored)) return stored;
  const order = STEPS.indexOf(stored);
  return steps.find((s) => STEPS.indexOf(s) > order) ?? 'done';
}

/** Pages of steps already done that a learner may look at again (never the forms that record evidence). */
const REVIEWABLE: readonly Step[] = ['disclosures', 'content'];

export type Access = { ok: true } | { ok: false; redirectTo: Step };

/** A learner may open the current step, or review disclosures/content once past them; anything else goes to the current step. */
export function canView(steps: Step[], current: Step, wanted: Step): Access {
  if (wanted === current) return { ok: true };
  const behind = steps.indexOf(wanted) >= 0 && steps.indexOf(wanted) < steps.indexOf(current);
  return behind && REVIEWABLE.includes(wanted) ? { ok: true } : { ok: false, redirectTo: current };
}

/**
 * Steps during which the learner is working on the activity, so page-visible heartbeats count as time on task. Not
 * the pre-test: the activity's minimum time is time on the content, and the pre-test comes before it (a few minutes
 * of participation left uncounted rather than counted as content).
 */
export const TIMED_STEPS: readonly Step[] = ['content', 'posttest', 'evaluation'];

/**
 * Seconds one heartbeat adds: the wall-clock since the previous heartbeat, never more than `capSeconds`, and
 * nothing for the first heartbeat after a pause (a hidden page or a new visit). Two open tabs share one
 * `last`, so together they never count more than the wall-clock.
 */
export function heartbeatCredit(options: { last: Date | null; now: Date; capSeconds: number }): number {
  if (!options.last) return 0;
  const elapsed = (options.now.getTime() - options.last.getTime()) / 1000;
  if (!(elapsed > 0)) return 0;
  return Math.min(elapsed, options.capSeconds);
}

export interface AnswersScore {
  correct: number;
  total: number;
  scaled: number;
  perQuestion: { id: string; prompt: string; chosen: number; correct: boolean }[];
}

export interface PosttestResult extends AnswersScore { passed: boolean }

/** Scores answers (option index per question id): the pre-test's score, which no pass mark applies to. */
export function scoreAnswers(questions: PosttestQuestion[], answers: Record<string, number>): AnswersScore {
  const perQuestion = questions.map((q) => ({ id: q.id, prompt: q.prompt, chosen: answers[q.id] ?? -1, correct: answers[q.id] === q.correct }));
  const correct = perQuestion.filter((q) => q.correct).length;
  const total = questions.length;
  const scaled = total === 0 ? 0 : Math.round((correct / total) * 10_000) / 10_000;
  return { correct, total, scaled, perQuestion };
}

/** Scores answers (option index per question id) against the pass mark (a percentage). */
export function scorePosttest(questions: PosttestQuestion[], answers: Record<string, number>, passMarkPct: number): PosttestResult {
  const score = scoreAnswers(questions, answers);
  // Integer comparison: 7/10 meets a 70% pass mark exactly, whatever floating point makes of 0.7.
  return { ...score, passed: score.total > 0 && score.correct * 100 >= passMarkPct * score.total };
}

/** ISO 8601 duration of whole seconds (xAPI result.duration). */
export const isoDuration = (seconds: number) => `PT${Math.max(0, Math.floor(seconds))}S`;

/**
 * Enduring material offers credit only until its termination date (cme-credit.md 1.1): after it, why no credit
 * can be claimed; null while credit is offered. `today` is an ISO date (YYYY-MM-DD).
 */
export function creditWindowClosed(a: Pick<Activity, 'terminationDate'>, today: string): string | null {
  return a.terminationDate && today > a.terminationDate ? `Credit for this activity was offered until ${a.terminationDate}.` : null;
}
