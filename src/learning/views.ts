/** What each learner page shows (pure): built from the path state, or from a rejected submission to keep its values. */
import { CREDIT_LABELS, FORMAT_LABELS, isEnduring, statementOf } from '../activities';
import type { ContentView } from './content';
import {
  DEGREES, INTENT_TO_CHANGE, NABP_PROFESSIONS, OBJECTIVES_MET, PROFESSION_LABELS, PROFESSIONS, STEP_LABELS, YES_NO,
  type ClaimPreview, type Profile, type Step,
} from './model';
import type { PathState } from './service';

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const rowsOf = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v) : []).filter((x): x is Record<string, unknown> => !!x && typeof x === 'object');
const choices = <T extends string>(values: readonly T[], labels: Record<T, string>, selected: string) =>
  values.map((value, i) => ({ value, label: labels[value], checked: value === selected, first: i === 0 }));

export function stepNav(steps: Step[], current: Step) {
  const at = steps.indexOf(current);
  return steps.filter((s) => s !== 'done').map((s, i) => ({ label: STEP_LABELS[s], current: s === current, done: i < at }));
}

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function profilePage(source: { profile: Profile | null } | { body: unknown }) {
  const b = 'body' in source ? ((source.body ?? {}) as Record<string, unknown>) : null;
  const p = 'profile' in source ? source.profile : null;
  const profession = b ? str(b.profession) : p?.profession ?? '';
  const month = b ? str(b.birthMonth) : p?.protectedIds ? String(p.protectedIds.birthMonth) : '';
  const boards = b ? rowsOf(b.boards).map((r) => ({ board: str(r.board), id: str(r.id) })) : p?.boardIds ?? [];
  const licenses = b ? rowsOf(b.licenses).map((r) => ({ state: str(r.state), licenseId: str(r.licenseId), primary: r.primary === 'on' })) : p?.stateLicenses ?? [];
  return {
    isNew: !p && !b,
    professions: PROFESSIONS.map((value) => ({ value, label: PROFESSION_LABELS[value], selected: value === profession })),
    degrees: DEGREES.map((value) => ({ value, selected: value === (b ? str(b.degree) : p?.degree ?? '') })),
    nabpEprofileId: b ? str(b.nabpEprofileId) : p?.protectedIds?.nabpEprofileId ?? '',
    birthDay: b ? str(b.birthDay) : p?.protectedIds ? String(p.protectedIds.birthDay) : '',
    months: MONTHS.map((label, i) => ({ value: String(i + 1), label, selected: String(i + 1) === month })),
    nabpProfessions: NABP_PROFESSIONS.map((x) => PROFESSION_LABELS[x].toLowerCase()).join(' and '),
    parsConsent: b ? b.parsConsent === 'on' : p?.parsConsent ?? false,
    boards: [...boards, { board: '', id: '' }].map((x, i) => ({ ...x, index: i, number: i + 1 })),
    licenses: [...licenses, { state: '', licenseId: '', primary: false }].map((x, i) => ({ ...x, index: i, number: i + 1 })),
  };
}

/** Everything ACCME/JA require learners to see before they engage (cme-credit.md 1.1, 1.4, 2). */
export function disclosuresPage(s: PathState) {
  const a = s.activity;
  return {
    formatLabel: FORMAT_LABELS[a.learningFormat],
    enduring: isEnduring(a.learningFormat),
    people: a.people.map((p) => ({ ...p, roleLabel: p.role[0]!.toUpperCase() + p.role.slice(1) })),
    accreditation: statementOf(a, 'accreditation')?.text ?? '',
    designation: statementOf(a, 'designation')?.text ?? '',
    moc: statementOf(a, 'moc')?.text ?? '',
    supportStatement: statementOf(a, 'commercial_support')?.text ?? '',
    designations: a.designations.map((d) => ({ label: CREDIT_LABELS[d.creditType], max: d.maxAmount, acpe: d.acpe })),
    reviewing: s.step !== 'disclosures',
  };
}

export function contentPage(s: PathState, view: ContentView) {
  return { content: view, reviewing: s.step !== 'content', minMinutes: s.activity.minMinutes, measuredMinutes: Math.floor(s.enrollment.measuredSeconds / 60), timed: true };
}

const questionsOf = (s: PathState, given: Record<string, unknown>) => s.activity.posttest.map((q, n) => ({
  id: q.id, number: n + 1, prompt: q.prompt,
  options: q.options.map((label, i) => ({ value: String(i), label, checked: str(given[`q-${q.id}`]) === String(i), first: i === 0 })),
}));

export function posttestPage(s: PathState, given: Record<string, unknown> = {}) {
  return { passMarkPct: s.activity.passMarkPct, timed: true, questions: questionsOf(s, given) };
}

/** The pre-test: the post-test's questions, before the content; no pass mark, no feedback on the answers. */
export function pretestPage(s: PathState, given: Record<string, unknown> = {}) {
  return { questions: questionsOf(s, given) };
}

export function evaluationPage(s: PathState, b: Record<string, unknown> = {}) {
  return {
    timed: true,
    objectivesMet: choices(OBJECTIVES_MET, { fully: 'Fully', partly: 'Partly', not: 'Not met' }, str(b.objectivesMet)),
    intentToChange: choices(INTENT_TO_CHANGE, { yes: 'Yes', no: 'No', unsure: 'Not sure yet' }, str(b.intentToChange)),
    fairBalance: choices(YES_NO, { yes: 'Yes', no: 'No' }, str(b.fairBalance)),
    freeOfCommercialBias: choices(YES_NO, { yes: 'Yes', no: 'No' }, str(b.freeOfCommercialBias)),
    changeDescription: str(b.changeDescription),
    biasComment: str(b.biasComment),
    objectives: s.activity.objectives,
    own: s.activity.evaluationQuestions.map((q) => ({ id: q.id, prompt: q.prompt, value: str(b[`own-${q.id}`]) })),
  };
}

export function attestationPage(s: PathState, wording: { version: string; text: string }, b: Record<string, unknown> = {}) {
  return { wording, measuredMinutes: Math.floor(s.enrollment.measuredSeconds / 60), minutes: str(b.minutes), attest: b.attest === 'on' };
}

export function claimPage(p: ClaimPreview & { attestedMinutes: number }) {
  return {
    preview: p,
    mocLines: p.moc.map((m) => `${m.board} MOC: ${m.points} point(s)`),
    creditNames: p.awards.map((a) => a.label),
  };
}
