/** The learner's forms, validated at the edge (zod): profile, post-test answers, evaluation, attestation. */
import { z } from 'zod';
import type { EvaluationQuestion, PosttestQuestion } from '../activities';
import {
  bodyOf, checkbox, issuesToErrors, optionalNumber, parseForm, requiredText, rows, text,
  type FieldError, type FormResult,
} from '../web/form-parsing';
import {
  DEGREES, INTENT_TO_CHANGE, NABP_PROFESSIONS, OBJECTIVES_MET, PHYSICIAN_DEGREES, PROFESSIONS, YES_NO,
  type BoardId, type EvaluationAnswers, type Profile, type StateLicense,
} from './model';

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

const profileBase = z.object({
  profession: z.enum(PROFESSIONS, { message: 'Choose your profession.' }),
  degree: z.enum(DEGREES, { message: 'Choose your degree.' }),
  parsConsent: checkbox,
  nabpEprofileId: text(20),
  birthMonth: optionalNumber({ min: 1, max: 12, int: true, message: 'Choose the month of your birth.' }),
  birthDay: optionalNumber({ min: 1, max: 31, int: true, message: 'Enter the day of your birth, 1 to 31.' }),
});

const boardRow = z.object({
  board: requiredText(20, 'Enter the board (for example ABIM).').pipe(z.string().regex(/^[A-Za-z][A-Za-z0-9-]{1,19}$/, 'Enter the board\'s short name (for example ABIM).')),
  id: requiredText(40, 'Enter your id with this board.'),
});

const licenseRow = z.object({
  state: requiredText(2, 'Enter the two-letter state code.').pipe(z.string().regex(/^[A-Za-z]{2}$/, 'Enter the two-letter state code (for example OH).')),
  licenseId: requiredText(40, 'Enter the license number.'),
  primary: checkbox,
});

export type ProfileInput = Omit<Profile, 'platformId' | 'sub'>;

/**
 * `nabpPattern`: the NABP e-Profile id format, configurable because the domain reference does not confirm it
 * (cme-credit.md 1.3 names the id but not its shape).
 */
export function parseProfile(body: unknown, nabpPattern: RegExp): FormResult<ProfileInput> {
  const b = bodyOf(body);
  const errors: FieldError[] = [];
  const base = profileBase.safeParse(b);
  if (!base.success) errors.push(...issuesToErrors(base.error.issues));
  const boardIds: BoardId[] = [];
  rows(b.boards).forEach((r, i) => {
    if ((r.board ?? '') === '' && (r.id ?? '') === '') return;
    const p = boardRow.safeParse(r);
    if (!p.success) errors.push(...issuesToErrors(p.error.issues, ['boards', i]));
    else boardIds.push({ board: p.data.board.toUpperCase(), id: p.data.id });
  });
  const stateLicenses: StateLicense[] = [];
  rows(b.licenses).forEach((r, i) => {
    if ((r.state ?? '') === '' && (r.licenseId ?? '') === '') return;
    const p = licenseRow.safeParse(r);
    if (!p.success) errors.push(...issuesToErrors(p.error.issues, ['licenses', i]));
    else stateLicenses.push({ ...p.data, state: p.data.state.toUpperCase() });
  });
  if (!base.success) return { ok: false, errors };
  const v = base.data;
  if (v.profession === 'physician' && !PHYSICIAN_DEGREES.includes(v.degree)) errors.push({ field: 'degree', message: 'A physician\'s degree is MD or DO.' });
  let protectedIds: ProfileInput['protectedIds'] = null;
  if (NABP_PROFESSIONS.includes(v.profession)) {
    if (!nabpPattern.test(v.nabpEprofileId)) errors.push({ field: 'nabpEprofileId', message: 'Enter your NABP e-Profile ID as shown in CPE Monitor (digits only).' });
    if (v.birthMonth === null) errors.push({ field: 'birthMonth', message: 'Choose the month of your birth (CPE Monitor matches it).' });
    if (v.birthDay === null) errors.push({ field: 'birthDay', message: 'Enter the day of your birth (CPE Monitor matches it).' });
    else if (v.birthMonth !== null && v.birthDay > DAYS_IN_MONTH[v.birthMonth - 1]!) errors.push({ field: 'birthDay', message: 'That month has fewer days.' });
    if (v.birthMonth !== null && v.birthDay !== null) protectedIds = { nabpEprofileId: v.nabpEprofileId, birthMonth: v.birthMonth, birthDay: v.birthDay };
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { profession: v.profession, degree: v.degree, parsConsent: v.parsConsent, boardIds, stateLicenses, protectedIds } };
}

/** Post-test answers: one option index per question (radio `q-<id>`). Every question must be answered. */
export function parsePosttest(body: unknown, questions: PosttestQuestion[]): FormResult<Record<string, number>> {
  const b = bodyOf(body);
  const answers: Record<string, number> = {};
  const errors: FieldError[] = [];
  for (const q of questions) {
    const raw = b[`q-${q.id}`];
    const n = typeof raw === 'string' && /^\d{1,2}$/.test(raw) ? Number(raw) : -1;
    if (n < 0 || n >= q.options.length) errors.push({ field: `q-${q.id}`, message: `Answer “${q.prompt.slice(0, 80)}”.` });
    else answers[q.id] = n;
  }
  return errors.length ? { ok: false, errors } : { ok: true, value: answers };
}

const evaluationBase = z.object({
  objectivesMet: z.enum(OBJECTIVES_MET, { message: 'Say whether the learning objectives were met.' }),
  intentToChange: z.enum(INTENT_TO_CHANGE, { message: 'Say whether you intend to change your practice.' }),
  changeDescription: text(2000),
  fairBalance: z.enum(YES_NO, { message: 'Say whether the content was fair and balanced.' }),
  freeOfCommercialBias: z.enum(YES_NO, { message: 'Say whether the activity was free of commercial bias.' }),
  biasComment: text(2000),
});

export function parseEvaluation(body: unknown, own: EvaluationQuestion[]): FormResult<EvaluationAnswers> {
  const b = bodyOf(body);
  const base = parseForm(evaluationBase, b);
  const errors: FieldError[] = base.ok ? [] : [...base.errors];
  // Follow-up questions are checked even when another answer is missing, so one submit shows every problem.
  const filled = (k: string) => typeof b[k] === 'string' && (b[k] as string).trim() !== '';
  if (b.intentToChange === 'yes' && !filled('changeDescription')) errors.push({ field: 'changeDescription', message: 'Say what you will change in your practice.' });
  if (b.freeOfCommercialBias === 'no' && !filled('biasComment')) errors.push({ field: 'biasComment', message: 'Describe the commercial bias you noticed.' });
  const answers: Record<string, string> = {};
  for (const q of own) {
    const r = text(2000).safeParse(b[`own-${q.id}`]);
    if (!r.success) errors.push({ field: `own-${q.id}`, message: r.error.issues[0]!.message });
    else answers[q.id] = r.data;
  }
  return errors.length || !base.ok ? { ok: false, errors } : { ok: true, value: { ...base.value, own: answers } };
}

export function parseAttestation(body: unknown): FormResult<{ minutes: number }> {
  const r = parseForm(z.object({
    minutes: optionalNumber({ min: 1, max: 24 * 60, int: true, message: 'Enter the whole minutes you spent, from 1 to 1440.' })
      .pipe(z.number({ message: 'Enter the whole minutes you spent.' })),
    attest: checkbox.pipe(z.literal(true, { message: 'Tick the box to attest your time.' })),
  }), bodyOf(body));
  return r.ok ? { ok: true, value: { minutes: r.value.minutes } } : r;
}
