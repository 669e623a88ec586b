/** SQL of an activity's outcomes: aggregates only (funnel, post-test, per-question answers, evaluation answers). */
import type { Db } from '../db';
import type { OutcomeFacts } from './outcomes';

const COMMENTS = 20;

export async function outcomeFacts(db: Db, activity: { id: string; posttest: { id: string; prompt: string; correct: number }[]; requiresEvaluation: boolean }): Promise<OutcomeFacts> {
  const id = activity.id;
  const [funnel, pt, bands, answers, evals, changes, bias] = await Promise.all([
    db.query<OutcomeFacts['funnel']>(
      `SELECT count(DISTINCT e.id)::int AS launched,
              count(DISTINCT ev.enrollment_id) FILTER (WHERE ev.kind = 'disclosure_viewed')::int AS disclosures,
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
    stages: { posttest: activity.posttest.length > 0, evaluation: activity.requiresEvaluation },
    funnel: funnel.rows[0]!,
    posttest: { learners: p.learners, passed: p.passed, firstPassed: p.first_passed, meanBest: p.mean_best, meanFirst: p.mean_first, attempts: p.attempts, bands: bandCounts },
    questions: activity.posttest.map((q) => {
      const rows = answers.rows.filter((a) => a.qid === q.id);
      return { id: q.id, prompt: q.prompt, answers: rows.reduce((s, a) => s + a.n, 0), correct: rows.filter((a) => Number(a.chosen) === q.correct).reduce((s, a) => s + a.n, 0) };
    }),
    // Accrue's activities have no pre-test yet; when they do, its evidence feeds this (cme-credit.md 5, CompletionEvidence).
    pretest: null,
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

async function comments(db: Db, activityId: string, field: 'changeDescription' | 'biasComment'): Promise<string[]> {
  const r = await db.query<{ text: string }>(
    `SELECT ev.detail->'answers'->>'${field}' AS text FROM completion_evidence ev JOIN enrollment e ON e.id = ev.enrollment_id
      WHERE e.activity_id = $1 AND ev.kind = 'evaluation' AND COALESCE(ev.detail->'answers'->>'${field}', '') <> ''
      ORDER BY ev.id DESC LIMIT ${COMMENTS}`, [activityId]);
  return r.rows.map((x) => x.text);
}
