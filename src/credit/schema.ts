/**
 * The scenario a credit computation reads (one learner, one activity), validated at the edge; its types are
 * inferred from the schema. Invalid means the scenario cannot be computed at all (a configuration or input
 * error); a valid scenario whose learner earns nothing is a result, not an error (see rules.ts).
 */
import { z } from 'zod';
import { ACTIVITY_FORMATS, CREDIT_TYPES, PROFESSIONS, type ActivityFormat, type UanAudience } from './model';
import { withArticle } from './reasons';
import { toHundredths } from './rounding';

/** Upper bounds that keep integer second arithmetic far from 2^53 and catch typing errors (10^6 minutes is almost two years). */
const MAX_MINUTES = 1_000_000;
const MAX_AMOUNT = 1000;
const MAX_BOARD_CHARS = 40;

/** What may differ between offices, or is unconfirmed (cme-credit.md 6): the defaults are in DEFAULT_SCENARIO_POLICY. */
export interface ScenarioPolicy {
  /**
   * Formats whose credit depends on a pre-announced minimum performance level, so a scenario without a pass mark
   * is a configuration error. AMA PRA: enduring materials and journal-based CME need a learner assessment with a
   * minimum performance level (cme-credit.md 1.1, 2 "Minimum performance"). Internet enduring material is an
   * enduring material delivered online (PARS only reports it apart), so it is included.
   */
  passMarkFormats: readonly ActivityFormat[];
  /** UAN format letters: L live, H home study; B (blended) is unconfirmed (cme-credit.md 1.3 [U]). */
  uanFormatLetters: string;
}

export const DEFAULT_SCENARIO_POLICY: Readonly<ScenarioPolicy> = Object.freeze({
  passMarkFormats: Object.freeze(['enduring', 'journal', 'internet-enduring'] as const),
  uanFormatLetters: 'LHB',
});

/** The ACPE Universal Activity Number, anchored (cme-credit.md 1.3): JA providers use JA + 7 digits. */
export function uanPattern(formatLetters: string = DEFAULT_SCENARIO_POLICY.uanFormatLetters): RegExp {
  if (!/^[A-Z]+$/.test(formatLetters)) throw new RangeError(`UAN format letters must be capital letters, got "${formatLetters}"`);
  return new RegExp(`^(JA\\d{7}|\\d{4})-(0000|9999)-\\d{2}-\\d{3}-[${formatLetters}]\\d{2}-[PT]$`);
}

/** The audience letter that ends a (valid) UAN. */
export function uanAudience(uan: string): UanAudience | undefined {
  const last = uan.slice(-1);
  return last === 'P' || last === 'T' ? last : undefined;
}

const number = (what: string) =>
  z.number({ error: (issue) => (issue.input === undefined ? `is required (${what})` : `must be a number (${what})`) });

const minutes = (what: string) =>
  number(what).min(0, 'must not be negative').max(MAX_MINUTES, `must be at most ${MAX_MINUTES} minutes`);

/** A designated maximum (hours or points): positive, at most two decimals, since amounts are kept in hundredths. */
const amount = (what: string) =>
  number(what)
    .positive('must be more than 0')
    .max(MAX_AMOUNT, `must be at most ${MAX_AMOUNT}`)
    .refine((n) => toHundredths(n) !== undefined, 'must have at most two decimals');

const fraction = (what: string) => number(what).min(0, 'must be between 0 and 1 (0.7 for 70%)').max(1, 'must be between 0 and 1 (0.7 for 70%)');

export const enumOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: (issue) => (issue.input === undefined ? `is required (one of ${values.join(', ')})` : `must be one of ${values.join(', ')}`) });

const board = z.string({ error: 'must be a board code such as ABIM' }).trim().min(1, 'must not be empty').max(MAX_BOARD_CHARS, `must be at most ${MAX_BOARD_CHARS} characters`);

/**
 * An object whose absence or wrong type says so plainly; unknown keys are refused (a typo must not pass unseen).
 * `expected` is what the message asks for when the value is not an object.
 */
export const strictObject = <T extends z.core.$ZodLooseShape>(shape: T, expected = 'must be a JSON object') =>
  z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
      if (issue.code === 'invalid_type') return issue.input === undefined ? 'is required' : expected;
      return undefined;
    },
  });

const designationSchema = strictObject({
  type: enumOf(CREDIT_TYPES),
  max: amount('the designated maximum in hours'),
  uan: z.string({ error: 'must be a string' }).trim().optional(),
});

const mocSchema = strictObject({
  board,
  max: amount('the maximum MOC points'),
  partial: z.boolean({ error: 'is required: true when the board accepts partial credit, false for all-or-nothing (ABP)' }),
});

const activitySchema = strictObject({
  format: enumOf(ACTIVITY_FORMATS),
  designations: z.array(designationSchema, { error: 'must be a list of credit designations' }).min(1, 'must name at least one credit designation'),
  moc: z.array(mocSchema, { error: 'must be a list of MOC registrations' }).default([]),
  /** Absent or null: the activity has no post-test gate (unless its format needs one, see ScenarioPolicy). */
  passMark: fraction('the minimum post-test score').gt(0, 'must be more than 0 (use null for no post-test)').nullable().optional(),
  /**
   * Absent = false: the engine gates only on what the activity declares. Whether evaluation gates credit is the
   * provider's choice per activity (cme-credit.md 2 "Evaluation": a practice, not an accreditor rule), recorded on
   * the activity as requires_evaluation; the course builder sets it, so an unset flag here means "not required".
   */
  evaluationRequired: z.boolean({ error: 'must be true or false' }).default(false),
});

const learnerSchema = strictObject({
  profession: enumOf(PROFESSIONS),
  /** Certifying boards the learner reports to for MOC (physicians). */
  boards: z.array(board, { error: 'must be a list of board codes' }).default([]),
});

const evidenceSchema = strictObject({
  /** Time recorded by Accrue (attendance, time on task). Absent: no recording, the attestation stands alone. */
  minutes: minutes('the recorded participation time').optional(),
  postTestScore: fraction('the post-test score, scaled 0 to 1').nullable().optional(),
  /** Absent = false: an evaluation counts as completed only when there is evidence of it. */
  evaluationCompleted: z.boolean({ error: 'must be true or false' }).optional(),
});

/** The scenario's structure, before the rules that look across fields (see scenarioSchema). */
const scenarioShape = strictObject({
  activity: activitySchema,
  learner: learnerSchema,
  evidence: evidenceSchema.default({}),
  /**
   * Required: credit is claimed by the learner for the time they attest (cme-credit.md 2 "Learner attestation");
   * without an attestation there is no claim to compute. 0 is a valid attestation that earns nothing.
   */
  attestedMinutes: minutes('the minutes the learner attests to'),
});

export type ScenarioInput = z.input<typeof scenarioShape>;
export type Scenario = z.output<typeof scenarioShape>;
export type Designation = Scenario['activity']['designations'][number];
export type MocRegistration = Scenario['activity']['moc'][number];

/** The full schema: the structure plus the accreditation rules that look across fields. */
export function scenarioSchema(policy: ScenarioPolicy = DEFAULT_SCENARIO_POLICY) {
  const uan = uanPattern(policy.uanFormatLetters);
  return scenarioShape.superRefine((scenario, ctx) => {
    const { activity } = scenario;
    if (policy.passMarkFormats.includes(activity.format) && (activity.passMark === undefined || activity.passMark === null)) {
      ctx.addIssue({
        code: 'custom',
        path: ['activity', 'passMark'],
        message: `is required for ${withArticle(activity.format)} activity: its credit depends on a minimum post-test score announced in advance`,
      });
    }
    const seen = new Map<string, number>();
    activity.designations.forEach((d, i) => {
      if (d.type === 'ACPE' && !d.uan) {
        ctx.addIssue({ code: 'custom', path: ['activity', 'designations', i, 'uan'], message: 'is required for an ACPE designation (e.g. JA0006235-9999-25-076-L01-P)' });
      } else if (d.type === 'ACPE' && !uan.test(d.uan!)) {
        ctx.addIssue({ code: 'custom', path: ['activity', 'designations', i, 'uan'], message: `"${d.uan}" is not an ACPE UAN of the form ${uan.source}` });
      } else if (d.type !== 'ACPE' && d.uan) {
        ctx.addIssue({ code: 'custom', path: ['activity', 'designations', i, 'uan'], message: 'belongs only to an ACPE designation' });
      }
      // One designation per credit type (cme-credit.md 5); ACPE may carry a P and a T UAN for the same activity (1.3).
      const key = d.type === 'ACPE' ? `ACPE-${uanAudience(d.uan ?? '') ?? ''}` : d.type;
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: ['activity', 'designations', i, 'type'], message: `${d.type} is designated twice (also at designations[${seen.get(key)}]); designate each credit type once, ACPE once per audience letter` });
      } else seen.set(key, i);
    });
    const boards = new Map<string, number>();
    activity.moc.forEach((m, i) => {
      const key = m.board.toUpperCase();
      if (boards.has(key)) ctx.addIssue({ code: 'custom', path: ['activity', 'moc', i, 'board'], message: `${m.board} is registered twice (also at moc[${boards.get(key)}])` });
      else boards.set(key, i);
    });
  });
}

export type ParsedScenario = { ok: true; scenario: Scenario } | { ok: false; errors: string[] };

/** One English line per issue, naming the field as `activity.designations[0].uan` (`root` when it is the whole input). */
export function issueLines(error: z.ZodError, root: string): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
    return `${path || root}: ${issue.message}`;
  });
}

/** Validates an untrusted scenario; errors are one English line each, naming the field. */
export function parseScenario(input: unknown, policy: ScenarioPolicy = DEFAULT_SCENARIO_POLICY): ParsedScenario {
  const parsed = scenarioSchema(policy).safeParse(input);
  if (parsed.success) return { ok: true, scenario: parsed.data };
  return { ok: false, errors: issueLines(parsed.error, 'scenario') };
}
