/**
 * What the certificate reads from an activity (pure): its statements as the office typed them, arranged per credit
 * type in the shape the certificates feature checks (checkStatementElements) and prints. The office types one
 * designation text for all its credit types ("one per credit type" in the same box), so each designation carries
 * that whole text verbatim: nothing is cut or reworded (cme-credit.md, golden rule); the certificate prints it once.
 */
import type { CertificateStatements } from '../certificates';
import { statementOf, type Activity, type LearningFormat } from './model';

/** The accredited provider as the deployment knows it (PROVIDER_NAME, its web address, joint accreditation). */
export interface CertificateProvider {
  name: string;
  url?: string;
  jointlyAccredited: boolean;
}

/**
 * The learning format as the AMA designation statement and the certificate must name it (cme-credit.md 1.1: live
 * activity, enduring material, journal-based CME activity, PI CME activity; other/blended learning named as such).
 */
export const CERTIFICATE_FORMAT_LABELS: Record<LearningFormat, string> = {
  course: 'live activity',
  rss: 'live activity',
  internet_live: 'live activity',
  enduring: 'enduring material',
  internet_enduring: 'enduring material',
  journal: 'journal-based CME activity',
  pi: 'performance-improvement CME activity',
  other: 'blended learning activity',
};

/** Credit types a certificate can carry (the credit engine's); the others (ASWB ACE, other) are not certified here. */
const CERTIFIED = new Set(['AMA_PRA_1', 'ANCC', 'ACPE', 'IPCE', 'AAPA_1']);

type Designations = CertificateStatements['statements']['designations'];

export function certificateStatementsOf(a: Activity, provider: CertificateProvider): CertificateStatements {
  const text = (kind: Parameters<typeof statementOf>[1]) => statementOf(a, kind)?.text.trim() || undefined;
  const designation = text('designation') ?? '';
  const moc = text('moc') ?? '';
  return {
    formatLabel: CERTIFICATE_FORMAT_LABELS[a.learningFormat],
    provider: { name: provider.name, ...(provider.url ? { url: provider.url } : {}), jointlyAccredited: provider.jointlyAccredited, jointProviders: [] },
    statements: {
      accreditation: text('accreditation'),
      jointAccreditation: text('joint_accreditation'),
      participation: text('participation'),
      designations: a.designations.filter((d) => CERTIFIED.has(d.creditType)).map((d) => ({
        type: d.creditType as Designations[number]['type'],
        max: d.maxAmount,
        statement: designation,
        ...(d.acpe ? { uan: d.acpe.uan, acpeActivityType: d.acpe.activityType } : {}),
      })),
      moc: a.moc.map((m) => ({ board: m.board, points: m.maxPoints, statement: moc })),
    },
  };
}
