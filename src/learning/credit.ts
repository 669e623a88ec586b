/**
 * The one place the learner path asks the credit engine (src/credit) what a claim earns. The preview shown before
 * submitting and the awards written on submit both come from `previewClaim`, so they cannot differ.
 */
import crypto from 'node:crypto';
import type { Activity, LearningFormat } from '../activities';
import { CREDIT_RULES, evaluateScenario, type ActivityFormat, type Profession as EngineProfession } from '../credit';
import { AppError } from '../errors';
import type { ClaimPreview, Profession } from './model';

const FORMAT: Record<LearningFormat, ActivityFormat> = {
  course: 'live', rss: 'rss', enduring: 'enduring', journal: 'journal', internet_live: 'internet-live',
  internet_enduring: 'internet-enduring', pi: 'pi', other: 'other',
};

/** Professions the engine has no rule row for receive only interprofessional credit (IPCE), like "other". */
const PROFESSION: Record<Profession, EngineProfession> = {
  physician: 'physician', nurse: 'nurse', pharmacist: 'pharmacist', pharmacy_technician: 'pharmacy-technician', pa: 'pa',
  psychologist: 'other', social_worker: 'other', dietitian: 'other', other: 'other',
};

const ENGINE_TYPES = new Set(Object.keys(CREDIT_RULES));

/** The engine's rule table names its version: any change to a rule changes what claims record. */
export const RULE_VERSION = `credit-rules-${crypto.createHash('sha256').update(JSON.stringify(CREDIT_RULES)).digest('hex').slice(0, 12)}`;

const UNIT_LABELS: Record<string, string> = { credit: 'credit', 'contact-hour': 'contact hour(s)' };

export interface ClaimFacts {
  activity: Activity;
  profession: Profession;
  boards: string[];
  measuredSeconds: number;
  bestScoreScaled: number | null;
  evaluationDone: boolean;
  attestedMinutes: number;
}

export function previewClaim(f: ClaimFacts): ClaimPreview {
  const designations = f.activity.designations
    .filter((d) => ENGINE_TYPES.has(d.creditType))
    .map((d) => ({ type: d.creditType, max: d.maxAmount, ...(d.acpe ? { uan: d.acpe.uan } : {}) }));
  const evaluation = evaluateScenario({
    activity: {
      format: FORMAT[f.activity.learningFormat],
      designations,
      moc: f.activity.moc.map((m) => ({ board: m.board, max: m.maxPoints, partial: m.partialAllowed })),
      passMark: f.activity.passMarkPct === null || f.activity.posttest.length === 0 ? null : f.activity.passMarkPct / 100,
      evaluationRequired: f.activity.requiresEvaluation,
    },
    learner: { profession: PROFESSION[f.profession], boards: f.boards },
    evidence: { minutes: f.measuredSeconds / 60, postTestScore: f.bestScoreScaled, evaluationCompleted: f.evaluationDone },
    attestedMinutes: f.attestedMinutes,
  });
  if (!evaluation.ok) {
    // A published activity always makes a valid scenario; if not, it is the activity's set-up, not the learner's doing.
    throw new AppError({ code: 'CREDIT_NOT_COMPUTABLE', httpStatus: 409, kind: 'conflict', message: `Credit for this activity cannot be computed (${evaluation.errors.join('; ')}). Contact the CME office.` });
  }
  const r = evaluation.result;
  const label = (type: string) => CREDIT_RULES[type as keyof typeof CREDIT_RULES]?.label ?? type;
  return {
    eligible: r.eligible,
    reasons: r.reasons,
    awards: r.awards.map((a) => ({ creditType: a.type, label: label(a.type), amount: a.amount, unit: a.unit, unitLabel: UNIT_LABELS[a.unit] ?? a.unit, ...(a.ceu !== undefined ? { ceu: a.ceu } : {}) })),
    participation: r.participation.map((p) => ({ creditType: p.type, label: label(p.type), designated: p.designated })),
    moc: r.moc,
    ruleVersion: RULE_VERSION,
    claimableMinutes: Math.floor(Math.min(f.attestedMinutes * 60, f.measuredSeconds) / 60),
  };
}
