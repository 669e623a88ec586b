/**
 * A credit designation as a course builder enters it (no I/O): validated before it is saved on an activity, since
 * a designation is fixed before the activity starts and never changed retroactively (cme-credit.md 1.1, 5
 * "CreditDesignation"). Errors block saving; warnings are shown to the builder and do not block, for rules that
 * cme-credit.md marks unconfirmed [U].
 */
import { z } from 'zod';
import { CREDIT_TYPES, type CreditType, type UanAudience } from './model';
import { capitalised, withArticle } from './reasons';
import { toHundredths } from './rounding';
import { CREDIT_RULES } from './rules';
import { DEFAULT_SCENARIO_POLICY, enumOf, issueLines, strictObject, uanAudience, uanPattern } from './schema';

/** ACPE activity types, names confirmed (cme-credit.md 1.3); shown to learners and on the record. */
export const ACPE_ACTIVITY_TYPES = ['knowledge', 'application', 'practice'] as const;
export type AcpeActivityType = (typeof ACPE_ACTIVITY_TYPES)[number];

export interface DesignationPolicy {
  /** Designation increments in hours per credit type; absent = hundredths. AMA: 0.25 (cme-credit.md 1.1 [C]). */
  increments: Partial<Record<CreditType, number>>;
  /** ACPE topic designators, the two digits after the UAN format letter (cme-credit.md 1.3 [U]: keep as a table). */
  acpeTopics: Readonly<Record<string, string>>;
  /** Commonly cited minimum hours per ACPE activity type (cme-credit.md 1.3 [U]): a warning, not an error. */
  acpeMinimumHours: Readonly<Record<AcpeActivityType, number>>;
  /** UAN format letters (B unconfirmed, cme-credit.md 1.3 [U]). */
  uanFormatLetters: string;
}

export const DEFAULT_DESIGNATION_POLICY: Readonly<DesignationPolicy> = Object.freeze({
  increments: Object.freeze({ AMA_PRA_1: 0.25 }),
  acpeTopics: Object.freeze({
    '01': 'disease-state management / drug therapy',
    '02': 'HIV / AIDS therapy',
    '03': 'law related to pharmacy practice',
    '04': 'general pharmacy',
    '05': 'patient safety',
    '06': 'immunizations',
    '07': 'compounding',
    '08': 'pain management / opioids',
  }),
  acpeMinimumHours: Object.freeze({ knowledge: 0.25, application: 1, practice: 15 }),
  uanFormatLetters: DEFAULT_SCENARIO_POLICY.uanFormatLetters,
});

const MAX_HOURS = 1000;

const acpeSchema = strictObject(
  {
    uan: z.string({ error: 'is required (the ACPE Universal Activity Number)' }).trim().toUpperCase(),
    activityType: enumOf(ACPE_ACTIVITY_TYPES),
    topicCode: z.string({ error: 'is required (two digits, e.g. 01)' }).trim(),
    audience: z.enum(['P', 'T'], { error: 'must be P (pharmacists) or T (pharmacy technicians)' }),
  },
  'must be an object with uan, activityType, topicCode and audience',
);

const designationInputSchema = strictObject(
  {
    type: enumOf(CREDIT_TYPES),
    max: z.number({ error: 'must be a number of hours' }).positive('must be more than 0').max(MAX_HOURS, `must be at most ${MAX_HOURS}`),
    acpe: acpeSchema.optional(),
  },
  'must be an object with type and max',
);

export type DesignationInput = z.input<typeof designationInputSchema>;
export type ValidDesignation = z.output<typeof designationInputSchema>;

export type DesignationCheck =
  | { ok: true; designation: ValidDesignation; warnings: string[] }
  | { ok: false; errors: string[]; warnings: string[] };

/** "0.25" -> 25 hundredths; the increment table holds hours for readability. */
function incrementHundredths(policy: DesignationPolicy, type: CreditType): number {
  const increment = policy.increments[type];
  const hundredths = increment === undefined ? 1 : toHundredths(increment);
  if (hundredths === undefined || hundredths <= 0) throw new RangeError(`invalid designation increment for ${type}: ${increment}`);
  return hundredths;
}

/** The UAN's topic designator: the two digits after its format letter (…-L01-P -> "01"). */
function uanTopic(uan: string): string {
  return uan.split('-')[4]?.slice(1) ?? '';
}

/** Checks the ACPE block: UAN form, audience letter, topic table; the activity-type minimum is only a warning. */
function checkAcpe(options: { acpe: NonNullable<ValidDesignation['acpe']>; maxHundredths: number; policy: DesignationPolicy }): { errors: string[]; warnings: string[] } {
  const { acpe, maxHundredths, policy } = options;
  const errors: string[] = [];
  const warnings: string[] = [];
  const pattern = uanPattern(policy.uanFormatLetters);
  if (!pattern.test(acpe.uan)) {
    errors.push(`acpe.uan: "${acpe.uan}" is not an ACPE UAN of the form ${pattern.source} (e.g. JA0006235-9999-25-076-L01-P)`);
  } else {
    const letter: UanAudience | undefined = uanAudience(acpe.uan);
    if (letter !== acpe.audience) errors.push(`acpe.audience: ${acpe.audience} does not match the UAN's audience letter ${letter}; a P and a T activity need one designation each`);
    const topic = uanTopic(acpe.uan);
    if (topic !== acpe.topicCode) errors.push(`acpe.topicCode: ${acpe.topicCode} does not match the topic ${topic} in the UAN`);
  }
  if (!(acpe.topicCode in policy.acpeTopics)) {
    const known = Object.entries(policy.acpeTopics).map(([code, name]) => `${code} ${name}`).join(', ');
    errors.push(`acpe.topicCode: ${acpe.topicCode} is not a known ACPE topic designator (${known})`);
  }
  const minimum = policy.acpeMinimumHours[acpe.activityType];
  if (maxHundredths < Math.round(minimum * 100)) {
    warnings.push(`${capitalised(withArticle(acpe.activityType))}-based ACPE activity is commonly at least ${minimum} ${minimum === 1 ? 'hour' : 'hours'} long; this one is designated for ${maxHundredths / 100}. Check the current ACPE guidance.`);
  }
  return { errors, warnings };
}

/** Validates one designation a course builder typed; UANs are trimmed and upper-cased before the check. */
export function checkDesignation(input: unknown, policy: DesignationPolicy = DEFAULT_DESIGNATION_POLICY): DesignationCheck {
  const parsed = designationInputSchema.safeParse(input);
  if (!parsed.success) return { ok: false, errors: issueLines(parsed.error, 'designation'), warnings: [] };
  const designation = parsed.data;
  const errors: string[] = [];
  let warnings: string[] = [];
  const maxHundredths = toHundredths(designation.max);
  const step = incrementHundredths(policy, designation.type);
  if (maxHundredths === undefined) {
    errors.push('max: must have at most two decimals');
  } else if (maxHundredths % step !== 0) {
    const lower = Math.floor(maxHundredths / step) * step;
    const options = [lower, lower + step].filter((h) => h > 0).map((h) => h / 100).join(' or ');
    errors.push(`max: ${CREDIT_RULES[designation.type].label} is designated in ${step / 100} increments; ${designation.max} is not one (use ${options})`);
  }
  if (designation.type === 'ACPE' && !designation.acpe) errors.push('acpe: is required for an ACPE designation (uan, activityType, topicCode, audience)');
  if (designation.type !== 'ACPE' && designation.acpe) errors.push('acpe: belongs only to an ACPE designation');
  if (designation.type === 'ACPE' && designation.acpe && maxHundredths !== undefined) {
    const acpe = checkAcpe({ acpe: designation.acpe, maxHundredths, policy });
    errors.push(...acpe.errors);
    warnings = acpe.warnings;
  }
  return errors.length ? { ok: false, errors, warnings } : { ok: true, designation, warnings };
}
