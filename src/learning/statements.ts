/**
 * Every xAPI statement of the learner path is built here, and only here (pure: ids and time are passed in).
 * Actor: the LMS account (homePage = platform issuer, name = LTI sub), never an e-mail. Object: the activity
 * (PUBLIC_URL/activities/<id>), or one post-test question for "answered". Context: registration = the
 * enrollment's registration, grouping = the LMS course the learner launched from (xAPI 1.0.3 §2.4.6).
 */
import { isoDuration } from './rules';

export const VERBS = {
  launched: { id: 'http://adlnet.gov/expapi/verbs/launched', display: 'launched' },
  experienced: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: 'experienced' },
  answered: { id: 'http://adlnet.gov/expapi/verbs/answered', display: 'answered' },
  attempted: { id: 'http://adlnet.gov/expapi/verbs/attempted', display: 'attempted' },
  passed: { id: 'http://adlnet.gov/expapi/verbs/passed', display: 'passed' },
  failed: { id: 'http://adlnet.gov/expapi/verbs/failed', display: 'failed' },
  completed: { id: 'http://adlnet.gov/expapi/verbs/completed', display: 'completed' },
  earned: { id: 'http://id.tincanapi.com/verb/earned', display: 'earned' },
} as const;

/** Verbs no public vocabulary has for CME: minted under Accrue's own base URL (our xAPI profile, manifest/). */
export const customVerb = (publicUrl: string, name: 'acknowledged' | 'attested') => ({ id: `${publicUrl}/xapi/verbs/${name}`, display: name });

export const extension = (publicUrl: string, name: string) => `${publicUrl}/xapi/extensions/${name}`;

const ACTIVITY_TYPES = {
  course: 'http://adlnet.gov/expapi/activities/course',
  question: 'http://adlnet.gov/expapi/activities/cmi.interaction',
  lmsCourse: 'http://adlnet.gov/expapi/activities/course',
};

export interface StatementContext {
  publicUrl: string;
  platform: { id: string; issuer: string };
  learner: { sub: string; name?: string };
  activity: { id: string; title: string };
  registration: string;
  course: { id: string | null; title: string | null };
  timestamp: Date;
  newId: () => string;
}

type Verb = { id: string; display: string };
type Statement = Record<string, unknown>;

export const activityIri = (publicUrl: string, activityId: string) => `${publicUrl}/activities/${activityId}`;

/** The learner as an Agent: the LMS account, the one actor of Accrue's statements and of launched content's. */
export const learnerAgent = (platformIssuer: string, learner: { sub: string; name?: string }) => ({
  objectType: 'Agent', ...(learner.name ? { name: learner.name } : {}), account: { homePage: platformIssuer, name: learner.sub },
});

function statement(c: StatementContext, verb: Verb, extra: { object?: Statement; result?: Statement; parent?: boolean; extensions?: Statement } = {}): Statement {
  const activity = activityIri(c.publicUrl, c.activity.id);
  const contextActivities: Statement = {};
  if (c.course.id) {
    contextActivities.grouping = [{
      objectType: 'Activity',
      id: `${c.publicUrl}/lms/${encodeURIComponent(c.platform.id)}/courses/${encodeURIComponent(c.course.id)}`,
      definition: { type: ACTIVITY_TYPES.lmsCourse, ...(c.course.title ? { name: { 'en-US': c.course.title } } : {}) },
    }];
  }
  if (extra.parent) contextActivities.parent = [{ objectType: 'Activity', id: activity }];
  return {
    id: c.newId(),
    actor: learnerAgent(c.platform.issuer, c.learner),
    verb: { id: verb.id, display: { 'en-US': verb.display } },
    object: extra.object ?? { objectType: 'Activity', id: activity, definition: { type: ACTIVITY_TYPES.course, name: { 'en-US': c.activity.title } } },
    ...(extra.result ? { result: extra.result } : {}),
    context: {
      registration: c.registration,
      platform: 'Accrue',
      language: 'en-US',
      ...(Object.keys(contextActivities).length ? { contextActivities } : {}),
      ...(extra.extensions ? { extensions: extra.extensions } : {}),
    },
    timestamp: c.timestamp.toISOString(),
  };
}

export const launched = (c: StatementContext) => statement(c, VERBS.launched);

export const acknowledgedDisclosures = (c: StatementContext) =>
  statement(c, customVerb(c.publicUrl, 'acknowledged'), { extensions: { [extension(c.publicUrl, 'acknowledged')]: 'disclosures' } });

/** Time on the content as measured from the learner's page-visible heartbeats. */
export const experienced = (c: StatementContext, seconds: number) => statement(c, VERBS.experienced, { result: { duration: isoDuration(seconds), completion: true } });

/**
 * One question answered. The question's IRI is the same before and after the content (the pre-test asks the
 * post-test's questions), so an LRS query can compare them; a pre-test answer carries the `pretest` context extension.
 */
export function answered(c: StatementContext, q: { id: string; prompt: string; options: string[]; chosen: number; correct: boolean; pretest?: boolean }) {
  return statement(c, VERBS.answered, {
    ...(q.pretest ? { extensions: { [extension(c.publicUrl, 'pretest')]: true } } : {}),
    parent: true,
    object: {
      objectType: 'Activity',
      id: `${activityIri(c.publicUrl, c.activity.id)}/posttest/${encodeURIComponent(q.id)}`,
      definition: {
        type: ACTIVITY_TYPES.question, description: { 'en-US': q.prompt }, interactionType: 'choice',
        choices: q.options.map((o, i) => ({ id: String(i), description: { 'en-US': o } })),
      },
    },
    result: { success: q.correct, response: String(q.chosen) },
  });
}

export function posttestResult(c: StatementContext, r: { scaled: number; correct: number; total: number; passed: boolean; attempt: number; passMarkPct: number }) {
  return statement(c, r.passed ? VERBS.passed : VERBS.failed, {
    result: { success: r.passed, completion: true, score: { scaled: r.scaled, raw: r.correct, min: 0, max: r.total } },
    extensions: { [extension(c.publicUrl, 'attempt')]: r.attempt, [extension(c.publicUrl, 'pass-mark')]: r.passMarkPct / 100 },
  });
}

/** The pre-test as a whole: a score, but no success (it has no pass mark and never decides credit). */
export function pretestAttempted(c: StatementContext, r: { scaled: number; correct: number; total: number }) {
  return statement(c, VERBS.attempted, {
    result: { completion: true, score: { scaled: r.scaled, raw: r.correct, min: 0, max: r.total } },
    extensions: { [extension(c.publicUrl, 'pretest')]: true },
  });
}

export const evaluationCompleted = (c: StatementContext) =>
  statement(c, VERBS.completed, { result: { completion: true }, extensions: { [extension(c.publicUrl, 'requirement')]: 'evaluation' } });

export const attested = (c: StatementContext, a: { minutes: number; textVersion: string }) =>
  statement(c, customVerb(c.publicUrl, 'attested'), {
    result: { duration: isoDuration(a.minutes * 60), extensions: { [extension(c.publicUrl, 'attested-minutes')]: a.minutes } },
    extensions: { [extension(c.publicUrl, 'attestation-text-version')]: a.textVersion },
  });

export const earned = (c: StatementContext, award: { creditType: string; amount: number; unit: string }) =>
  statement(c, VERBS.earned, {
    result: {
      success: true, completion: true,
      extensions: {
        [extension(c.publicUrl, 'credit-type')]: award.creditType,
        [extension(c.publicUrl, 'credit-amount')]: award.amount,
        [extension(c.publicUrl, 'credit-unit')]: award.unit,
      },
    },
  });
