/**
 * Outcomes of an activity for "evaluate and refine" (no I/O): the completion funnel, post-test results (and the
 * pre/post change when an activity has a pre-test) and the evaluation answers summarised (objectives met, intent to
 * change practice, fair balance, commercial bias; cme-credit.md 2, "Evaluation"). Built from aggregates the store
 * computes in SQL, so no learner row is held.
 */
import { barChart, share, type Bar } from './svg';

export interface OutcomeFacts {
  stages: { posttest: boolean; evaluation: boolean };
  funnel: { launched: number; disclosures: number; content: number; posttest: number; evaluation: number; claim: number };
  posttest: { learners: number; passed: number; firstPassed: number; meanBest: number | null; meanFirst: number | null; attempts: number; bands: number[] };
  questions: { id: string; prompt: string; answers: number; correct: number }[];
  pretest: { learners: number; meanPre: number | null; meanPost: number | null } | null;
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

export interface Section { id: string; title: string; desc: string; rows: { label: string; count: number; of: number; display: string }[]; svg: string }

const pct = (x: number | null) => (x === null ? '—' : `${Math.round(x * 100)}%`);

function section(id: string, title: string, desc: string, rows: { label: string; count: number; of: number }[], options: { max?: number } = {}): Section {
  const full = rows.map((r) => ({ ...r, display: share(r.count, r.of) }));
  const bars: Bar[] = full.map((r) => ({ label: r.label, value: r.count, display: r.display }));
  return { id, title, desc, rows: full, svg: barChart({ id, title, desc, bars, max: options.max }) };
}

export function outcomeSections(f: OutcomeFacts): { sections: Section[]; summary: { label: string; value: string }[] } {
  const launched = f.funnel.launched;
  const funnelRows = [
    { label: 'Launched', count: launched, of: launched },
    { label: 'Read the disclosures', count: f.funnel.disclosures, of: launched },
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
        f.questions.map((q) => ({ label: q.prompt.length > 28 ? `${q.prompt.slice(0, 27)}…` : q.prompt, count: q.correct, of: q.answers }))));
    }
    summary.push(
      { label: 'Took the post-test', value: String(p.learners) },
      { label: 'Passed', value: share(p.passed, p.learners) },
      { label: 'Passed at the first attempt', value: share(p.firstPassed, p.learners) },
      { label: 'Mean first score', value: pct(p.meanFirst) },
      { label: 'Mean best score', value: pct(p.meanBest) },
      { label: 'Attempts', value: String(p.attempts) },
    );
    if (f.pretest) summary.push({ label: 'Pre-test to post-test (mean)', value: `${pct(f.pretest.meanPre)} → ${pct(f.pretest.meanPost)} (${f.pretest.learners} learners)` });
    else summary.push({ label: 'Pre-test to post-test', value: 'this activity has no pre-test' });
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
  return { sections, summary };
}

/** The outcomes as CSV records: section, measure, count, of, percent. */
export function outcomeRecords(f: OutcomeFacts): (string | number)[][] {
  const out: (string | number)[][] = [['Section', 'Measure', 'Count', 'Of', 'Percent']];
  const { sections, summary } = outcomeSections(f);
  for (const s of sections) for (const r of s.rows) out.push([s.title, r.label, r.count, r.of, r.of > 0 ? Math.round((r.count / r.of) * 1000) / 10 : '']);
  for (const s of summary) out.push(['Post-test summary', s.label, s.value, '', '']);
  for (const c of f.evaluation.changes) out.push(['Intended change (learner comment)', c, '', '', '']);
  for (const c of f.evaluation.biasComments) out.push(['Bias comment (learner comment)', c, '', '', '']);
  return out;
}
