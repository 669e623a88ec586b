/**
 * Outcomes of an activity for "evaluate and refine" (no I/O): the completion funnel, post-test results (and the
 * pre/post change when an activity has a pre-test) and the evaluation answers summarised (objectives met, intent to
 * change practice, fair balance, commercial bias; cme-credit.md 2, "Evaluation"). Built from aggregates the store
 * computes in SQL, so no learner row is held.
 */
import { barChart, pairedBarChart, share, type Bar } from './svg';

export interface OutcomeFacts {
  stages: { pretest: boolean; posttest: boolean; evaluation: boolean };
  funnel: { launched: number; disclosures: number; pretest: number; content: number; posttest: number; evaluation: number; claim: number };
  posttest: { learners: number; passed: number; firstPassed: number; meanBest: number | null; meanFirst: number | null; attempts: number; bands: number[] };
  questions: { id: string; prompt: string; answers: number; correct: number }[];
  /** Null when the activity gives no pre-test. */
  pretest: PrePostFacts | null;
  evaluation: {
    responses: number;
    objectivesMet: Record<'fully' | 'partly' | 'not', number>;
    intentToChange: Record<'yes' | 'no' | 'unsure', number>;
    fairBalance: Record<'yes' | 'no', number>;
    freeOfCommercialBias: Record<'yes' | 'no', number>;
    changes: string[];
    biasComments: string[];
  };
}

/**
 * The pre/post comparison (docs/outcomes.md): only learners with both a pre-test and a post-test count ("paired"); their
 * pre-test against their FIRST post-test attempt, which is taken like the pre-test (once, before any feedback of a
 * failed attempt). Per question: how many of the paired learners answered it correctly before and after.
 */
export interface PrePostFacts {
  took: number;
  paired: number;
  meanPre: number | null;
  meanPost: number | null;
  questions: { id: string; prompt: string; preCorrect: number; postCorrect: number }[];
}

export interface PrePostRow {
  label: string;
  /** Shares 0..1 (null without paired learners), and the change in percentage points, one decimal. */
  pre: number | null;
  post: number | null;
  changePoints: number | null;
  preCorrect: number | null;
  postCorrect: number | null;
  preDisplay: string;
  postDisplay: string;
  changeDisplay: string;
}

export interface PrePost { took: number; paired: number; title: string; desc: string; rows: PrePostRow[]; svg: string }

export interface Section { id: string; title: string; desc: string; rows: { label: string; count: number; of: number; display: string }[]; svg: string }

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

/** The change in percentage points, computed before rounding: one decimal for CSV. */
const changePoints = (pre: number | null, post: number | null) => (pre === null || post === null ? null : Math.round((post - pre) * 1000) / 10);
/** The change in whole percentage points for the page, rounded once from the unrounded shares. */
const changeText = (pre: number | null, post: number | null) => {
  if (pre === null || post === null) return '—';
  const whole = Math.round((post - pre) * 100);
  return whole === 0 ? 'no change' : `${whole > 0 ? '+' : '−'}${Math.abs(whole)} points`;
};
const shortLabel = (s: string) => (s.length > 28 ? `${s.slice(0, 27)}…` : s);

export function prePostOf(f: Pick<OutcomeFacts, 'pretest'>): PrePost | null {
  const p = f.pretest;
  if (!p) return null;
  const n = p.paired;
  const mean: PrePostRow = {
    label: 'Mean score, all questions', pre: p.meanPre, post: p.meanPost, changePoints: changePoints(p.meanPre, p.meanPost),
    preCorrect: null, postCorrect: null, preDisplay: pct(p.meanPre), postDisplay: pct(p.meanPost), changeDisplay: changeText(p.meanPre, p.meanPost),
  };
  const rows = [mean, ...p.questions.map((q): PrePostRow => {
    const pre = n > 0 ? q.preCorrect / n : null;
    const post = n > 0 ? q.postCorrect / n : null;
    return {
      label: q.prompt, pre, post, changePoints: changePoints(pre, post), preCorrect: q.preCorrect, postCorrect: q.postCorrect,
      preDisplay: share(q.preCorrect, n), postDisplay: share(q.postCorrect, n), changeDisplay: changeText(pre, post),
    };
  })];
  const title = 'Before and after the content: pre-test and first post-test';
  const desc = n === 0
    ? `No learner has taken both the pre-test and the post-test yet (${p.took} took the pre-test).`
    : `${n} learners took both the pre-test and the post-test (${p.took} took the pre-test). Their mean score was ${pct(p.meanPre)} before the content and ${pct(p.meanPost)} at the first post-test attempt (${mean.changeDisplay}). The table gives each question's share of correct answers before and after.`;
  const svg = pairedBarChart({
    id: 'prepost', title, desc, legend: { before: 'Before: pre-test', after: 'After: first post-test' },
    rows: rows.map((r) => ({ label: shortLabel(r.label), before: r.pre ?? 0, after: r.post ?? 0, beforeDisplay: n > 0 ? pct(r.pre) : '—', afterDisplay: n > 0 ? `${pct(r.post)} (${r.changeDisplay})` : '—' })),
  });
  return { took: p.took, paired: n, title, desc, rows, svg };
}

function section(id: string, title: string, desc: string, rows: { label: string; count: number; of: number }[], options: { max?: number } = {}): Section {
  const full = rows.map((r) => ({ ...r, display: share(r.count, r.of) }));
  const bars: Bar[] = full.map((r) => ({ label: r.label, value: r.count, display: r.display }));
  return { id, title, desc, rows: full, svg: barChart({ id, title, desc, bars, max: options.max }) };
}

export function outcomeSections(f: OutcomeFacts): { sections: Section[]; summary: { label: string; value: string }[]; prepost: PrePost | null } {
  const launched = f.funnel.launched;
  const funnelRows = [
    { label: 'Launched', count: launched, of: launched },
    { label: 'Read the disclosures', count: f.funnel.disclosures, of: launched },
    ...(f.stages.pretest ? [{ label: 'Took the pre-test', count: f.funnel.pretest, of: launched }] : []),
    { label: 'Finished the content', count: f.funnel.content, of: launched },
    ...(f.stages.posttest ? [{ label: 'Passed the post-test', count: f.funnel.posttest, of: launched }] : []),
    ...(f.stages.evaluation ? [{ label: 'Completed the evaluation', count: f.funnel.evaluation, of: launched }] : []),
    { label: 'Claimed credit', count: f.funnel.claim, of: launched },
  ];
  const funnelDesc = `Of ${launched} learners who launched the activity, ${funnelRows.map((r) => `${r.count} ${r.label.toLowerCase()}`).slice(1).join(', ')}.`;
  const sections: Section[] = [section('funnel', 'Completion funnel', funnelDesc, funnelRows, { max: Math.max(1, launched) })];

  const summary: { label: string; value: string }[] = [];
  if (f.stages.posttest) {
    const p = f.posttest;
    const bands = p.bands.map((count, i) => ({ label: i === 9 ? '90–100%' : `${i * 10}–${i * 10 + 9}%`, count, of: p.learners }));
    sections.push(section('scores', 'Best post-test score per learner', `Best scores of ${p.learners} learners who took the post-test, in bands of ten percentage points.`, bands));
    if (f.questions.length) {
      sections.push(section('questions', 'Answered correctly, per question', 'Share of all answers to each post-test question that were correct.',
        f.questions.map((q) => ({ label: shortLabel(q.prompt), count: q.correct, of: q.answers }))));
    }
    summary.push(
      { label: 'Took the post-test', value: String(p.learners) },
      { label: 'Passed', value: share(p.passed, p.learners) },
      { label: 'Passed at the first attempt', value: share(p.firstPassed, p.learners) },
      { label: 'Mean first score', value: pct(p.meanFirst) },
      { label: 'Mean best score', value: pct(p.meanBest) },
      { label: 'Attempts', value: String(p.attempts) },
    );
    const pp = prePostOf(f);
    if (pp) {
      const mean = pp.rows[0]!;
      summary.push(
        { label: 'Took the pre-test', value: String(pp.took) },
        { label: 'Pre-test to first post-test, mean (learners with both)', value: `${mean.preDisplay} → ${mean.postDisplay} (${mean.changeDisplay}; ${pp.paired} learners)` },
      );
    } else summary.push({ label: 'Pre-test to post-test', value: 'this activity has no pre-test' });
  }
  if (f.stages.evaluation || f.evaluation.responses > 0) {
    const e = f.evaluation;
    const n = e.responses;
    sections.push(
      section('objectives', 'Were the learning objectives met?', `${n} evaluations: fully ${e.objectivesMet.fully}, partly ${e.objectivesMet.partly}, not ${e.objectivesMet.not}.`,
        [{ label: 'Fully', count: e.objectivesMet.fully, of: n }, { label: 'Partly', count: e.objectivesMet.partly, of: n }, { label: 'Not met', count: e.objectivesMet.not, of: n }]),
      section('intent', 'Intend to change practice', `${n} evaluations: yes ${e.intentToChange.yes}, no ${e.intentToChange.no}, unsure ${e.intentToChange.unsure}.`,
        [{ label: 'Yes', count: e.intentToChange.yes, of: n }, { label: 'No', count: e.intentToChange.no, of: n }, { label: 'Unsure', count: e.intentToChange.unsure, of: n }]),
      section('bias', 'Fair balance and commercial bias', `${n} evaluations: ${e.fairBalance.yes} found the content fair and balanced, ${e.freeOfCommercialBias.no} perceived commercial bias.`,
        [{ label: 'Fair and balanced', count: e.fairBalance.yes, of: n }, { label: 'Not balanced', count: e.fairBalance.no, of: n },
          { label: 'Free of commercial bias', count: e.freeOfCommercialBias.yes, of: n }, { label: 'Commercial bias seen', count: e.freeOfCommercialBias.no, of: n }]),
    );
  }
  return { sections, summary, prepost: prePostOf(f) };
}

export const OUTCOME_CSV_HEADER = [
  'Section', 'Measure', 'Count', 'Of', 'Percent',
  'Learners with both', 'Pre-test correct', 'Post-test correct', 'Pre-test percent', 'Post-test percent', 'Change (percentage points)',
];

/**
 * The outcomes as CSV records: section, measure, count, of, percent; the pre/post rows fill the last six columns
 * instead (learners with both, correct answers before and after, percents and the change), so every record has the
 * same columns.
 */
export function outcomeRecords(f: OutcomeFacts): (string | number)[][] {
  const pad = (r: (string | number)[]) => [...r, ...Array<string>(OUTCOME_CSV_HEADER.length - r.length).fill('')];
  const out: (string | number)[][] = [OUTCOME_CSV_HEADER];
  const { sections, summary, prepost } = outcomeSections(f);
  for (const s of sections) for (const r of s.rows) out.push(pad([s.title, r.label, r.count, r.of, r.of > 0 ? Math.round((r.count / r.of) * 1000) / 10 : '']));
  const percent = (x: number | null) => (x === null ? '' : Math.round(x * 1000) / 10);
  for (const r of prepost?.rows ?? []) {
    out.push(['Pre-test and post-test', r.label, '', '', '', prepost!.paired, r.preCorrect ?? '', r.postCorrect ?? '', percent(r.pre), percent(r.post), r.changePoints ?? '']);
  }
  for (const s of summary) out.push(pad(['Post-test summary', s.label, s.value, '', '']));
  for (const c of f.evaluation.changes) out.push(pad(['Intended change (learner comment)', c, '', '', '']));
  for (const c of f.evaluation.biasComments) out.push(pad(['Bias comment (learner comment)', c, '', '', '']));
  return out;
}
