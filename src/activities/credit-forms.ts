/**
 * Builder forms for what earns credit: designations and MOC registrations, and the requirements (post-test,
 * evaluation, minimum time). Validated with zod; rows keep their page index so errors link to their field.
 */
import crypto from 'node:crypto';
import { z } from 'zod';
import {
  bodyOf, checkbox, issuesToErrors, lines, optionalNumber, requiredText, rows, text,
  type FieldError, type FormResult,
} from '../web/form-parsing';
import {
  ACPE_ACTIVITY_TYPES, type AcpeAudience, type CreditType, type Designation, type EvaluationQuestion,
  type LearningFormat, type MocRegistration, type PosttestQuestion,
} from './model';
import { checkDesignation } from './rules';

/** The designation rows of the credit form, in page order; ACPE has one row per audience letter (cme-credit.md 1.3). */
export const DESIGNATION_ROWS: { key: string; creditType: CreditType; audience?: AcpeAudience }[] = [
  { key: 'AMA_PRA_1', creditType: 'AMA_PRA_1' },
  { key: 'ANCC', creditType: 'ANCC' },
  { key: 'ACPE_P', creditType: 'ACPE', audience: 'P' },
  { key: 'ACPE_T', creditType: 'ACPE', audience: 'T' },
  { key: 'IPCE', creditType: 'IPCE' },
  { key: 'AAPA_1', creditType: 'AAPA_1' },
];
// ASWB ACE and "other" credit are in the schema but not offered: the credit engine has no rule for them yet.

const amount = optionalNumber({ min: 0.01, max: 999, message: 'Enter a number of credits above 0, such as 1.5.' });

const designationRow = z.object({
  maxAmount: amount,
  uan: text(40),
  activityType: z.preprocess((v) => (v === '' ? undefined : v), z.enum(ACPE_ACTIVITY_TYPES, { message: 'Choose knowledge, application or practice.' }).optional()),
});

const mocRow = z.object({
  board: requiredText(20, 'Enter the board (for example ABIM).').pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{1,19}$/, 'Enter the board\'s short name, letters and digits (for example ABIM).')),
  maxPoints: optionalNumber({ min: 0.25, max: 999, message: 'Enter the maximum points, above 0.' }).pipe(z.number({ message: 'Enter the maximum points, above 0.' })),
  partialAllowed: checkbox,
});

export type DesignationInput = Omit<Designation, 'id'>;
export type MocInput = Omit<MocRegistration, 'id'>;

export function parseCredit(body: unknown, format: LearningFormat): FormResult<{ designations: DesignationInput[]; moc: MocInput[] }> {
  const b = bodyOf(body);
  const given = bodyOf(b.designations);
  const errors: FieldError[] = [];
  const designations: DesignationInput[] = [];
  for (const row of DESIGNATION_ROWS) {
    const r = designationRow.safeParse(bodyOf(given[row.key]));
    if (!r.success) {
      errors.push(...issuesToErrors(r.error.issues, ['designations', row.key]));
      continue;
    }
    if (r.data.maxAmount === null) continue;
    const d: DesignationInput = { creditType: row.creditType, maxAmount: r.data.maxAmount };
    if (row.creditType === 'ACPE') {
      if (!r.data.activityType) errors.push({ field: `designations-${row.key}-activityType`, message: 'Choose the ACPE activity type (knowledge, application or practice).' });
      d.acpe = { uan: r.data.uan.toUpperCase(), activityType: r.data.activityType ?? 'knowledge', audience: row.audience! };
    }
    errors.push(...checkDesignation(d, format));
    designations.push(d);
  }
  const moc: MocInput[] = [];
  const boards = new Set<string>();
  rows(b.moc).forEach((r, i) => {
    if (r.remove === 'on' || ((r.board ?? '') === '' && (r.maxPoints ?? '') === '')) return;
    const m = mocRow.safeParse(r);
    if (!m.success) return void errors.push(...issuesToErrors(m.error.issues, ['moc', i]));
    const board = m.data.board.toUpperCase();
    if (boards.has(board)) return void errors.push({ field: `moc-${i}-board`, message: `${board} is listed twice.` });
    boards.add(board);
    moc.push({ board, maxPoints: m.data.maxPoints, partialAllowed: m.data.partialAllowed });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: { designations, moc } };
}

const questionRow = z.object({
  id: z.preprocess((v) => (typeof v === 'string' && /^[a-z0-9-]{1,40}$/.test(v) ? v : undefined), z.string().optional()),
  prompt: requiredText(1000, 'Enter the question.'),
  options: lines({ maxItems: 8, maxLength: 500 }).pipe(z.array(z.string()).min(2, 'Give at least two answer options, one per line.')),
  correct: optionalNumber({ min: 1, max: 8, int: true, message: 'Enter the number of the correct option (1 for the first line).' })
    .pipe(z.number({ message: 'Enter the number of the correct option (1 for the first line).' })),
});

const requirementsSchema = z.object({
  passMarkPct: optionalNumber({ min: 1, max: 100, int: true, message: 'Enter the pass mark as a whole percentage from 1 to 100.' }),
  minMinutes: optionalNumber({ min: 0, max: 10_000, int: true, message: 'Enter whole minutes, 0 or more.' }),
  requiresEvaluation: checkbox,
  pretest: checkbox,
  evaluationQuestions: lines({ maxItems: 20, maxLength: 500 }),
});

export interface RequirementsInput {
  passMarkPct: number | null;
  minMinutes: number;
  requiresEvaluation: boolean;
  posttest: PosttestQuestion[];
  pretest: boolean;
  evaluationQuestions: EvaluationQuestion[];
}

const newId = () => crypto.randomUUID().slice(0, 8);

/** `previous` keeps question ids stable across edits (statements and answers refer to them). */
export function parseRequirements(body: unknown, previous: { evaluationQuestions: EvaluationQuestion[] }): FormResult<RequirementsInput> {
  const b = bodyOf(body);
  const errors: FieldError[] = [];
  const base = requirementsSchema.safeParse(b);
  if (!base.success) errors.push(...issuesToErrors(base.error.issues));
  const posttest: PosttestQuestion[] = [];
  rows(b.posttest).forEach((r, i) => {
    if (r.remove === 'on' || ((r.prompt ?? '') === '' && (r.options ?? '') === '')) return;
    const q = questionRow.safeParse(r);
    if (!q.success) return void errors.push(...issuesToErrors(q.error.issues, ['posttest', i]));
    if (q.data.correct > q.data.options.length) return void errors.push({ field: `posttest-${i}-correct`, message: `There are only ${q.data.options.length} options.` });
    posttest.push({ id: q.data.id ?? newId(), prompt: q.data.prompt, options: q.data.options, correct: q.data.correct - 1 });
  });
  if (posttest.length > 50) errors.push({ field: 'posttest-0-prompt', message: 'At most 50 questions.' });
  // The pre-test is the post-test's questions asked before the content (docs/outcomes.md): none without them.
  if (base.success && base.data.pretest && posttest.length === 0) errors.push({ field: 'pretest', message: 'The pre-test asks the post-test questions: add post-test questions, or untick the pre-test.' });
  if (!base.success || errors.length) return { ok: false, errors };
  const byPrompt = new Map(previous.evaluationQuestions.map((q) => [q.prompt, q.id]));
  return {
    ok: true,
    value: {
      passMarkPct: base.data.passMarkPct,
      minMinutes: base.data.minMinutes ?? 0,
      requiresEvaluation: base.data.requiresEvaluation,
      posttest,
      pretest: base.data.pretest,
      evaluationQuestions: base.data.evaluationQuestions.map((prompt) => ({ id: byPrompt.get(prompt) ?? newId(), prompt })),
    },
  };
}
