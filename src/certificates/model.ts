/**
 * What a certificate is made from (no I/O): the CertificateInput the award hands to `issue`, validated at the edge,
 * its types inferred from the schema. Statements are kept exactly as the CME office typed them (cme-credit.md,
 * "Golden rule"): nothing here rewrites their wording.
 */
import { z } from 'zod';
import { ACPE_ACTIVITY_TYPES, CREDIT_TYPES, CREDIT_UNITS, PROFESSIONS } from '../credit';

const MAX_STATEMENT = 4000;

/** A required piece of text: trimmed, not empty, bounded. */
const text = (max: number) =>
  z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be text') }).trim().min(1, 'must not be empty').max(max, `must be at most ${max} characters`);

const isoDate = z
  .string({ error: 'must be a date YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'is not a calendar date');

/** An amount of hours, credits or points: positive, at most two decimals (amounts are exact hundredths upstream). */
const amount = z
  .number({ error: 'must be a number' })
  .positive('must be more than 0')
  .max(1000, 'must be at most 1000')
  .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most two decimals');

const fraction = z.number({ error: 'must be a number between 0 and 1' }).min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');
const creditType = z.enum(CREDIT_TYPES, { error: `must be one of ${CREDIT_TYPES.join(', ')}` });
const acpeActivityType = z.enum(ACPE_ACTIVITY_TYPES, { error: `must be one of ${ACPE_ACTIVITY_TYPES.join(', ')}` });

/** One credit designation's statement as the office typed it, with what the statement must agree with. */
export const designationStatementSchema = z.strictObject({
  type: creditType,
  /** The designated maximum (Achievement.creditsAvailable in the credential). */
  max: amount,
  statement: z.string({ error: 'must be text' }).trim().max(MAX_STATEMENT),
  /** ACPE only: the Universal Activity Number and activity type, shown on the certificate (cme-credit.md 1.3, 1.8). */
  uan: z.string({ error: 'must be text' }).trim().toUpperCase().optional(),
  acpeActivityType: acpeActivityType.optional(),
});

export const mocStatementSchema = z.strictObject({
  board: text(40),
  points: amount,
  statement: z.string({ error: 'must be text' }).trim().max(MAX_STATEMENT),
});

/** The statements of an activity, verbatim. The joint-accreditation statement is printed standing apart (1.4). */
export const statementsSchema = z.strictObject({
  accreditation: z.string({ error: 'must be text' }).trim().max(MAX_STATEMENT).optional(),
  designations: z.array(designationStatementSchema, { error: 'must be a list' }).max(12, 'must have at most 12 entries'),
  jointAccreditation: z.string({ error: 'must be text' }).trim().max(MAX_STATEMENT).optional(),
  /** Wording for learners whose profession cannot receive a designated credit; absent = the template's wording. */
  participation: z.string({ error: 'must be text' }).trim().max(MAX_STATEMENT).optional(),
  moc: z.array(mocStatementSchema, { error: 'must be a list' }).max(12).default([]),
  /** Other statements the office prints (commercial support, disclaimers), in order. */
  other: z.array(text(MAX_STATEMENT), { error: 'must be a list' }).max(12).default([]),
});

export const providerSchema = z.strictObject({
  name: text(300),
  /** Address or web address; ANCC certificates must show one (cme-credit.md 1.2). */
  url: z.string({ error: 'must be text' }).trim().max(500).optional(),
  jointlyAccredited: z.boolean({ error: 'must be true or false' }).default(false),
  /** Non-accredited joint providers, named in the accreditation statement (cme-credit.md 1.1). */
  jointProviders: z.array(text(300)).max(10).default([]),
});

const awardSchema = z.strictObject({
  type: creditType,
  amount,
  unit: z.enum(CREDIT_UNITS, { error: `must be one of ${CREDIT_UNITS.join(', ')}` }),
  ceu: z.number({ error: 'must be a number' }).nonnegative().optional(),
  uan: z.string({ error: 'must be text' }).trim().toUpperCase().optional(),
  acpeActivityType: acpeActivityType.optional(),
});

export const certificateInputShape = z.strictObject({
  learner: z.strictObject({
    name: text(300),
    platformId: text(200),
    sub: text(255),
    profession: z.enum(PROFESSIONS, { error: `must be one of ${PROFESSIONS.join(', ')}` }),
  }),
  activity: z.strictObject({
    id: text(200),
    title: text(500),
    /** The learning format as the certificate names it ("live activity", "enduring material"; cme-credit.md 1.1). */
    formatLabel: text(120),
    startDate: isoDate,
    endDate: isoDate.optional(),
    provider: providerSchema,
    statements: statementsSchema,
  }),
  awards: z.array(awardSchema, { error: 'must be a list' }).max(12).default([]),
  participation: z.array(z.strictObject({ type: creditType, designated: amount }), { error: 'must be a list' }).max(12).default([]),
  moc: z.array(z.strictObject({ board: text(40), points: amount }), { error: 'must be a list' }).max(12).default([]),
  postTest: z.strictObject({ score: fraction, passMark: fraction }).nullable().optional(),
  /** xAPI statement ids that evidence the completion (credential `evidence`). */
  evidenceStatementIds: z.array(z.uuid({ error: 'must be an xAPI statement id (UUID)' })).max(100).default([]),
  completionDate: isoDate,
  /** The credit claims this certificate is for, when the caller has them. */
  claimIds: z.array(text(100)).max(12).default([]),
});

export type CertificateInput = z.input<typeof certificateInputShape>;
export type ValidCertificateInput = z.output<typeof certificateInputShape>;
export type ActivityStatements = ValidCertificateInput['activity']['statements'];
export type DesignationStatement = ActivityStatements['designations'][number];
export type CertificateAward = ValidCertificateInput['awards'][number];

/** The structure plus the rules that look across fields: every award and participation has its designation. */
export const certificateInputSchema = certificateInputShape.superRefine((input, ctx) => {
  const designations = input.activity.statements.designations;
  const designation = (type: string) => designations.find((d) => d.type === type);
  if (input.awards.length === 0 && input.participation.length === 0) {
    ctx.addIssue({ code: 'custom', path: ['awards'], message: 'a certificate needs at least one award or participation' });
  }
  const seen = new Set<string>();
  input.awards.forEach((a, i) => {
    if (seen.has(a.type)) ctx.addIssue({ code: 'custom', path: ['awards', i, 'type'], message: `${a.type} is awarded twice` });
    seen.add(a.type);
    const d = designation(a.type);
    if (!d) ctx.addIssue({ code: 'custom', path: ['awards', i, 'type'], message: `${a.type} has no designation in activity.statements.designations` });
    else if (Math.round(a.amount * 100) > Math.round(d.max * 100)) {
      ctx.addIssue({ code: 'custom', path: ['awards', i, 'amount'], message: `${a.amount} is above the designated maximum ${d.max}` });
    }
  });
  input.participation.forEach((p, i) => {
    if (!designation(p.type)) ctx.addIssue({ code: 'custom', path: ['participation', i, 'type'], message: `${p.type} has no designation in activity.statements.designations` });
  });
  input.moc.forEach((m, i) => {
    if (!input.activity.statements.moc.some((s) => s.board.toUpperCase() === m.board.toUpperCase())) {
      ctx.addIssue({ code: 'custom', path: ['moc', i, 'board'], message: `${m.board} has no MOC statement in activity.statements.moc` });
    }
  });
  if (input.activity.endDate && input.activity.endDate < input.activity.startDate) {
    ctx.addIssue({ code: 'custom', path: ['activity', 'endDate'], message: 'is before the start date' });
  }
});

/** One English line per issue, naming the field (`activity.statements.designations[0].max: ...`). */
export function issueLines(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('');
    return `${path || 'input'}: ${issue.message}`;
  });
}

/** Certificate states: `replaced` means reissued; the replacement carries the current facts. */
export type CertificateStatus = 'valid' | 'revoked' | 'replaced';
