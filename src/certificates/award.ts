/**
 * The CertificateInput of an award (no I/O): the learner path's award facts, the activity's statements as its
 * certificates print them (activities' certificateStatements), and the learner's name from the launch. Statements
 * pass through untouched; amounts are the claim's own (the same computation the learner previewed and the ledger
 * recorded), so the certificate cannot say anything the claim does not.
 */
import type { AcpeActivityType, CreditType, CreditUnit } from '../credit';
import type { CertificateInput } from './model';

/** The learner path's professions; those the credit engine has no row for certify as "other". */
const PROFESSION: Record<string, CertificateInput['learner']['profession']> = {
  physician: 'physician', nurse: 'nurse', pharmacist: 'pharmacist', pharmacy_technician: 'pharmacy-technician', pa: 'pa',
};

/** What an activity contributes to its certificates: the format as named, the provider, the statements verbatim. */
export type CertificateStatements = Pick<CertificateInput['activity'], 'formatLabel' | 'provider' | 'statements'>;

export interface AwardFacts {
  learner: { name: string; platformId: string; sub: string; profession: string };
  activity: { id: string; title: string; startDate: string | null; endDate: string | null; releaseDate: string | null; passMarkPct: number | null };
  statements: CertificateStatements;
  credit: {
    awards: { creditType: string; amount: number; unit: string; ceu?: number }[];
    participation: { creditType: string; designated: number }[];
    moc: { board: string; points: number }[];
  };
  /** The UAN and activity type for this learner's ACPE credit (pharmacist P or technician T number). */
  acpe?: { uan: string; activityType: string };
  bestScoreScaled: number | null;
  completionDate: string;
  evidenceStatementIds: string[];
}

export function certificateInputOfAward(f: AwardFacts): CertificateInput {
  const { activity } = f;
  // Enduring material has no start date of its own: its release date is when learners could begin.
  const startDate = activity.startDate ?? activity.releaseDate ?? f.completionDate;
  const endDate = activity.endDate && activity.endDate >= startDate ? activity.endDate : undefined;
  return {
    learner: { name: f.learner.name, platformId: f.learner.platformId, sub: f.learner.sub, profession: PROFESSION[f.learner.profession] ?? 'other' },
    activity: {
      id: activity.id,
      title: activity.title,
      formatLabel: f.statements.formatLabel,
      startDate,
      ...(endDate ? { endDate } : {}),
      provider: f.statements.provider,
      statements: f.statements.statements,
    },
    awards: f.credit.awards.map((a) => ({
      // The engine's own vocabulary; the schema checks it again when the certificate is issued.
      type: a.creditType as CreditType,
      amount: a.amount,
      unit: a.unit as CreditUnit,
      ...(a.ceu !== undefined ? { ceu: a.ceu } : {}),
      ...(a.creditType === 'ACPE' && f.acpe ? { uan: f.acpe.uan, acpeActivityType: f.acpe.activityType as AcpeActivityType } : {}),
    })),
    participation: f.credit.participation.map((p) => ({ type: p.creditType as CreditType, designated: p.designated })),
    moc: f.credit.moc.map((m) => ({ board: m.board, points: m.points })),
    postTest: f.bestScoreScaled !== null && activity.passMarkPct !== null ? { score: f.bestScoreScaled, passMark: activity.passMarkPct / 100 } : null,
    evidenceStatementIds: f.evidenceStatementIds,
    completionDate: f.completionDate,
  };
}
