/** Display names of credit types in transcripts (no I/O); MOC claims are stored as MOC_<board>. */
// The activities' model (pure data) rather than their face, which brings the course-builder pages with it: an export
// run from the CLI needs only these names.
import { CREDIT_LABELS, FORMAT_LABELS, type CreditType, type LearningFormat } from '../activities/model';
import { STEP_LABELS, type Step } from '../learning/model';

export function creditLabel(type: string): string {
  if (type.startsWith('MOC_')) return `${type.slice(4)} MOC points`;
  return CREDIT_LABELS[type as CreditType] ?? type;
}

export const unitLabel = (unit: string) => ({ credit: 'credits', 'contact-hour': 'contact hours', 'moc-point': 'points' }[unit] ?? unit);

/** The learner path's own names for its steps ("Pre-test", "Claim credit"), as the learner sees them. */
export const stepLabel = (step: string) => STEP_LABELS[step as Step] ?? step;

export const formatLabel = (f: string) => FORMAT_LABELS[f as LearningFormat] ?? f;

export const displayName = (p: { name: string | null; given_name?: string | null; family_name?: string | null } | { name: string | null; givenName: string | null; familyName: string | null }, fallback: string) => {
  const given = 'givenName' in p ? p.givenName : p.given_name;
  const family = 'familyName' in p ? p.familyName : p.family_name;
  return p.name?.trim() || [given, family].filter(Boolean).join(' ').trim() || fallback;
};
