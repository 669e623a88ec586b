/**
 * How a certificate's facts read to a person (no I/O): credit marks with their amounts, dates, the statements that
 * print. The template context, the verification page and the credential all take their words from here, so the
 * three never disagree.
 */
import type { CreditType } from '../credit';
import type { CertificateAward, ValidCertificateInput } from './model';

/** The credit's mark, singular or plural; AMA's with its trademark sign, always in full (cme-credit.md 1.1). */
export function creditMark(type: CreditType, amount: number): string {
  const one = Math.round(amount * 100) === 100;
  switch (type) {
    case 'AMA_PRA_1':
      return one ? 'AMA PRA Category 1 Credit™' : 'AMA PRA Category 1 Credits™';
    case 'ANCC':
      return one ? 'ANCC contact hour' : 'ANCC contact hours';
    case 'ACPE':
      return one ? 'ACPE contact hour' : 'ACPE contact hours';
    case 'IPCE':
      return one ? 'IPCE credit' : 'IPCE credits';
    case 'AAPA_1':
      return one ? 'AAPA Category 1 CME credit' : 'AAPA Category 1 CME credits';
  }
}

/** 1.5 -> "1.5", 2 -> "2", 0.25 -> "0.25": at most `decimals` decimals, no trailing zeros. */
export function formatAmount(amount: number, decimals = 2): string {
  return String(Number(amount.toFixed(decimals)));
}

const LONG_DATE = new Intl.DateTimeFormat('en-US', { dateStyle: 'long', timeZone: 'UTC' });

/** "2026-03-01" -> "March 1, 2026". Calendar dates carry no time zone, so they are read and written in UTC. */
export function formatDate(isoDate: string): string {
  return LONG_DATE.format(new Date(`${isoDate.slice(0, 10)}T00:00:00Z`));
}

export function formatDates(start: string, end?: string): string {
  return !end || end === start ? formatDate(start) : `${formatDate(start)} – ${formatDate(end)}`;
}

function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

const ACPE_TYPE_LABEL: Record<string, string> = { knowledge: 'Knowledge-based', application: 'Application-based', practice: 'Practice-based' };

export interface AwardLine {
  type: CreditType;
  amount: string;
  mark: string;
  /** "1.5 AMA PRA Category 1 Credits™" */
  line: string;
  ceu?: string;
  uan?: string;
  activityType?: string;
}

/** The UAN and activity type of an ACPE award: on the award when the caller gave them, else on its designation. */
export function awardLine(award: CertificateAward, input: ValidCertificateInput): AwardLine {
  const designation = input.activity.statements.designations.find((d) => d.type === award.type);
  const amount = formatAmount(award.amount);
  const mark = creditMark(award.type, award.amount);
  const line: AwardLine = { type: award.type, amount, mark, line: `${amount} ${mark}` };
  if (award.ceu !== undefined) line.ceu = formatAmount(award.ceu, 3);
  const uan = award.uan ?? designation?.uan;
  if (uan) line.uan = uan;
  const activityType = award.acpeActivityType ?? designation?.acpeActivityType;
  if (activityType) line.activityType = ACPE_TYPE_LABEL[activityType];
  return line;
}

/** The statements printed on this certificate: those of the credit types it awards or records participation in. */
export function printedStatements(input: ValidCertificateInput) {
  const s = input.activity.statements;
  const types = new Set<string>([...input.awards.map((a) => a.type), ...input.participation.map((p) => p.type)]);
  const boards = new Set(input.moc.map((m) => m.board.toUpperCase()));
  return {
    accreditation: s.accreditation || undefined,
    // One text may serve several credit types (an office types its designations in one box): printed once.
    designations: [...new Set(s.designations.filter((d) => types.has(d.type) && d.statement).map((d) => d.statement))],
    jointAccreditation: s.jointAccreditation || undefined,
    moc: s.moc.filter((m) => boards.has(m.board.toUpperCase()) && m.statement).map((m) => m.statement),
    other: s.other,
  };
}

export type PrintedStatements = ReturnType<typeof printedStatements>;

/** Everything the template may print, as text (HTML escaping is the template engine's job). */
export function templateContext(options: { input: ValidCertificateInput; code: string; verifyUrl: string; issuedAt: Date }) {
  const { input } = options;
  const a = input.activity;
  return {
    learner: { name: input.learner.name },
    activity: { title: a.title, formatLabel: a.formatLabel, dates: formatDates(a.startDate, a.endDate) },
    provider: { name: a.provider.name, url: a.provider.url },
    completionDate: formatDate(input.completionDate),
    issuedDate: formatDate(options.issuedAt.toISOString()),
    isParticipationOnly: input.awards.length === 0,
    awards: input.awards.map((award) => awardLine(award, input)),
    participation: input.participation.map((p) => ({
      type: p.type,
      designated: formatAmount(p.designated),
      mark: creditMark(p.type, p.designated),
      statement: a.statements.participation,
    })),
    moc: input.moc.map((m) => ({ board: m.board, points: formatAmount(m.points), line: `${formatAmount(m.points)} ${m.board} MOC ${m.points === 1 ? 'point' : 'points'}` })),
    postTest: input.postTest ? { score: percent(input.postTest.score), passMark: percent(input.postTest.passMark) } : undefined,
    statements: printedStatements(input),
    code: options.code,
    verifyUrl: options.verifyUrl,
  };
}

export type TemplateContext = ReturnType<typeof templateContext>;

/**
 * What the public verification page shows: the status and what the certificate certifies, and nothing the
 * certificate itself does not show (no LMS identity, no e-mail, never the reason of a revocation).
 */
export function verificationView(options: {
  status: 'valid' | 'revoked' | 'replaced';
  code: string;
  issuedAt: Date;
  revokedAt: Date | null;
  replacedAt: Date | null;
  replacement?: { code: string; url: string };
  input: ValidCertificateInput;
}) {
  const { input } = options;
  const a = input.activity;
  const day = (d: Date | null) => (d ? formatDate(d.toISOString()) : undefined);
  return {
    status: options.status,
    code: options.code,
    issuedOn: day(options.issuedAt)!,
    revokedOn: options.status === 'revoked' ? day(options.revokedAt) : undefined,
    replacedOn: options.status === 'replaced' ? day(options.replacedAt) : undefined,
    replacement: options.status === 'replaced' ? options.replacement : undefined,
    learnerName: input.learner.name,
    activity: { title: a.title, format: a.formatLabel, dates: formatDates(a.startDate, a.endDate) },
    provider: a.provider.name,
    completedOn: formatDate(input.completionDate),
    credits: input.awards.map((award) => awardLine(award, input)),
    participation: input.participation.map((p) => ({ type: p.type, line: `Participation in an activity designated for ${formatAmount(p.designated)} ${creditMark(p.type, p.designated)}` })),
    moc: input.moc.map((m) => ({ board: m.board, line: `${formatAmount(m.points)} ${m.board} MOC ${m.points === 1 ? 'point' : 'points'}` })),
  };
}

export type VerificationView = ReturnType<typeof verificationView>;
