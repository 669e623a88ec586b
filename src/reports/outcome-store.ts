/** SQL of an activity's outcomes: aggregates only (funnel, post-test, per-question answers, evaluation answers). */
// The activities' model (pure) rather than their face, which brings the course-builder pages: the CLI's export group stays light.
import { hasPretest, type PosttestQuestion } from '../activities/model';
import type { Db } from '../db';
import type { OutcomeFacts, PrePostFacts } from './outcomes';

const COMMENTS = 20;

export async function outcomeFacts(db: Db, activity: { id: string; posttest: PosttestQuestion[]; pretest: boolean; requiresEvaluation: boolean }): Promise<OutcomeFacts> {
  const id = activity.id;
  const [funnel, pt, bands, answers, evals, changes, bias, prePost] = await Promise.all([
    db.query<OutcomeFacts['funnel']>(
      `SELECT count(DISTINCT e.id)::int AS launched,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'disclosure_viewed')::int AS disclosures,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'pretest')::int AS pretest,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'time_on_task')::int AS content,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'posttest' AND ev.success)::int AS posttest,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'evaluation')::int AS evaluation,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'claim')::int AS claim
         FROM enrollment e LEFT JOIN completion_evidence ev ON ev.enrollment_id = e.id WHERE e.activity_id = $1`, [id]),
    db.query<{ learners: number; passed: number; first_passed: number; mean_best: number | null; mean_first: number | null; attempts: number }>(
      `${PER_LEARNER} SELECT count(*)::int AS learners, count(*) FILTER (WHERE passed)::int AS passed, count(*) FILTER (WHERE first_passed)::int AS first_passed,
              avg(best)::float8 AS mean_best, avg(first)::float8 AS mean_first, COALESCE(sum(attempts), 0)::int AS attempts FROM per`, [id]),
    db.query<{ band: number; n: number }>(`${PER_LEARNER} SELECT least(floor(best * 10)::int, 9) AS band, count(*)::int AS n FROM per GROUP BY 1`, [id]),
    db.query<{ qid: string; chosen: string; n: number }>(
      `SELECT x.key AS qid, x.value AS chosen, count(*)::int AS n
         FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id, jsonb_each_text(ev.detail->'answers') AS x
        WHERE e.activity_id = $1 AND ev.kind = 'posttest' GROUP BY 1, 2`, [id]),
    db.query<{ om: string | null; ic: string | null; fb: string | null; fcb: string | null; n: number }>(
      `SELECT ev.detail->'answers'->>'objectivesMet' AS om, ev.detail->'answers'->>'intentToChange' AS ic,
              ev.detail->'answers'->>'fairBalance' AS fb, ev.detail->'answers'->>'freeOfCommercialBias' AS fcb, count(*)::int AS n
         FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id
        WHERE e.activity_id = $1 AND ev.kind = 'evaluation' GROUP BY 1, 2, 3, 4`, [id]),
    comments(db, id, 'changeDescription'),
    comments(db, id, 'biasComment'),
    hasPretest(activity) ? prePostFacts(db, activity) : Promise.resolve(null),
  ]);
  const bandCounts = Array.from({ length: 10 }, () => 0);
  for (const b of bands.rows) if (b.band !== null && b.band >= 0) bandCounts[b.band] = b.n;
  const p = pt.rows[0]!;
  const evaluation: OutcomeFacts['evaluation'] = {
    responses: 0, objectivesMet: { fully: 0, partly: 0, not: 0 }, intentToChange: { yes: 0, no: 0, unsure: 0 },
    fairBalance: { yes: 0, no: 0 }, freeOfCommercialBias: { yes: 0, no: 0 }, changes, biasComments: bias,
  };
  const bump = <K extends string>(rec: Record<K, number>, key: string | null, n: number) => {
    if (key !== null && key in rec) rec[key as K] += n;
  };
  for (const r of evals.rows) {
    evaluation.responses += r.n;
    bump(evaluation.objectivesMet, r.om, r.n);
    bump(evaluation.intentToChange, r.ic, r.n);
    bump(evaluation.fairBalance, r.fb, r.n);
    bump(evaluation.freeOfCommercialBias, r.fcb, r.n);
  }
  return {
    stages: { pretest: hasPretest(activity), posttest: activity.posttest.length > 0, evaluation: activity.requiresEvaluation },
    funnel: funnel.rows[0]!,
    posttest: { learners: p.learners, passed: p.passed, firstPassed: p.first_passed, meanBest: p.mean_best, meanFirst: p.mean_first, attempts: p.attempts, bands: bandCounts },
    questions: activity.posttest.map((q) => {
      const rows = answers.rows.filter((a) => a.qid === q.id);
      return { id: q.id, prompt: q.prompt, answers: rows.reduce((s, a) => s + a.n, 0), correct: rows.filter((a) => Number(a.chosen) === q.correct).reduce((s, a) => s + a.n, 0) };
    }),
    pretest: prePost,
    evaluation,
  };
}

/** Each learner's post-test: first and best score, passed at all, passed at the first attempt, attempts. */
const PER_LEARNER = `WITH pt AS (
    SELECT ev.enrollment_id, ev.score_scaled::float8 AS s, ev.success, row_number() OVER (PARTITION BY ev.enrollment_id ORDER BY ev.id) AS n
      FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id WHERE e.activity_id = $1 AND ev.kind = 'posttest'),
  per AS (
    SELECT enrollment_id, max(s) AS best, max(s) FILTER (WHERE n = 1) AS first, bool_or(success) AS passed,
           COALESCE(bool_or(success) FILTER (WHERE n = 1), false) AS first_passed, count(*) AS attempts FROM pt GROUP BY 1)`;

/**
 * Each learner's pre-test (taken once) and first post-test attempt; only learners with both are paired and counted
 * (docs/outcomes.md). Per question, the answers of the paired learners grouped by option, before and after.
 */
const PAIRED = `WITH pre AS (
    SELECT DISTINCT ON (ev.enrollment_id) ev.enrollment_id, ev.score_scaled::float8 AS s, ev.detail->'answers' AS answers
      FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id
     WHERE e.activity_id = $1 AND ev.kind = 'pretest' ORDER BY ev.enrollment_id, ev.id),
  post AS (
    SELECT DISTINCT ON (ev.enrollment_id) ev.enrollment_id, ev.score_scaled::float8 AS s, ev.detail->'answers' AS answers
      FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id
     WHERE e.activity_id = $1 AND ev.kind = 'posttest' ORDER BY ev.enrollment_id, ev.id),
  paired AS (SELECT pre.s AS pre_s, post.s AS post_s, pre.answers AS pre_a, post.answers AS post_a FROM pre JOIN post USING (enrollment_id))`;

async function prePostFacts(db: Db, activity: { id: string; posttest: PosttestQuestion[] }): Promise<PrePostFacts> {
  const [totals, answers] = await Promise.all([
    db.query<{ took: number; paired: number; mean_pre: number | null; mean_post: number | null }>(
      `${PAIRED} SELECT (SELECT count(*) FROM pre)::int AS took, count(*)::int AS paired, avg(pre_s)::float8 AS mean_pre, avg(post_s)::float8 AS mean_post FROM paired`,
      [activity.id]),
    db.query<{ phase: 'pre' | 'post'; qid: string; chosen: string; n: number }>(
      `${PAIRED} SELECT 'pre' AS phase, x.key AS qid, x.value AS chosen, count(*)::int AS n FROM paired, jsonb_each_text(paired.pre_a) AS x GROUP BY 1, 2, 3
       UNION ALL
       SELECT 'post' AS phase, x.key AS qid, x.value AS chosen, count(*)::int AS n FROM paired, jsonb_each_text(paired.post_a) AS x GROUP BY 1, 2, 3`,
      [activity.id]),
  ]);
  const t = totals.rows[0]!;
  const correct = (phase: 'pre' | 'post', q: PosttestQuestion) =>
    answers.rows.filter((a) => a.phase === phase && a.qid === q.id && Number(a.chosen) === q.correct).reduce((sum, a) => sum + a.n, 0);
  return {
    took: t.took, paired: t.paired, meanPre: t.paired > 0 ? t.mean_pre : null, meanPost: t.paired > 0 ? t.mean_post : null,
    questions: activity.posttest.map((q) => ({ id: q.id, prompt: q.prompt, preCorrect: correct('pre', q), postCorrect: correct('post', q) })),
  };
}

async function comments(db: Db, activityId: string, field: 'changeDescription' | 'biasComment'): Promise<string[]> {
  const r = await db.query<{ text: string }>(
    `SELECT ev.detail->'answers'->>'${field}' AS text FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id
      WHERE e.activity_id = $1 AND ev.kind = 'evaluation' AND COALESCE(ev.detail->'answers'->>'${field}', '') <> ''
      ORDER BY ev.id DESC LIMIT ${COMMENTS}`, [activityId]);
  return r.rows.map((x) => x.text);
}
