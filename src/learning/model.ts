/**
 * The learner's path (no I/O). Vocabulary: Enrollment = one learner in one activity (keyed by platform + sub);
 * Evidence = an append-only record of what the learner did; Claim = the learner's attested request for credit,
 * awarded per credit type (cme-credit.md 5). Completion is the evidence; a claim is what the learner asks for.
 */

export const PROFESSIONS = ['physician', 'nurse', 'pharmacist', 'pharmacy_technician', 'pa', 'psychologist', 'social_worker', 'dietitian', 'other'] as const;
export type Profession = (typeof PROFESSIONS)[number];

export const PROFESSION_LABELS: Record<Profession, string> = {
  physician: 'Physician (MD or DO)',
  nurse: 'Nurse',
  pharmacist: 'Pharmacist',
  pharmacy_technician: 'Pharmacy technician',
  pa: 'Physician assistant',
  psychologist: 'Psychologist',
  social_worker: 'Social worker',
  dietitian: 'Dietitian',
  other: 'Other health professional',
};

export const DEGREES = ['MD', 'DO', 'RN', 'APRN', 'LPN', 'PharmD', 'RPh', 'CPhT', 'PA-C', 'PhD', 'PsyD', 'LCSW', 'MSW', 'RD', 'Other'] as const;
export type Degree = (typeof DEGREES)[number];

/** AMA PRA Category 1 Credit™ is for MD/DO (cme-credit.md 1.1): a physician's degree is one of them. */
export const PHYSICIAN_DEGREES: readonly Degree[] = ['MD', 'DO'];

/** CPE Monitor needs the NABP e-Profile id and birth month + day (cme-credit.md 1.3): only these professions. */
export const NABP_PROFESSIONS: readonly Profession[] = ['pharmacist', 'pharmacy_technician'];

export interface BoardId { board: string; id: string }
export interface StateLicense { state: string; licenseId: string; primary: boolean }

/** Encrypted at rest; never logged. */
export interface ProtectedIds { nabpEprofileId: string; birthMonth: number; birthDay: number }

export interface Profile {
  platformId: string;
  sub: string;
  profession: Profession;
  degree: Degree;
  boardIds: BoardId[];
  stateLicenses: StateLicense[];
  parsConsent: boolean;
  protectedIds: ProtectedIds | null;
}

/**
 * The steps of the path, in order (cme-credit.md 2, "Engine gating"). Pre-test, post-test and evaluation are skipped
 * when the activity has none. The pre-test comes after the disclosures (which are shown before any engagement) and
 * before the content, so it measures what the learner knew before it.
 */
export const STEPS = ['disclosures', 'pretest', 'content', 'posttest', 'evaluation', 'attestation', 'claim', 'done'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  disclosures: 'Disclosures', pretest: 'Pre-test', content: 'Content', posttest: 'Post-test', evaluation: 'Evaluation',
  attestation: 'Attest your time', claim: 'Claim credit', done: 'Done',
};

export interface Enrollment {
  id: string;
  activityId: string;
  platformId: string;
  sub: string;
  registration: string;
  contextId: string | null;
  contextTitle: string | null;
  step: Step;
  measuredSeconds: number;
  lastHeartbeatAt: Date | null;
  registeredAt: Date;
  completedAt: Date | null;
}

export type EvidenceKind = 'launch' | 'disclosure_viewed' | 'pretest' | 'time_on_task' | 'posttest' | 'evaluation' | 'attestation' | 'claim';

export interface Evidence {
  kind: EvidenceKind;
  occurredAt: Date;
  durationSeconds: number | null;
  scoreScaled: number | null;
  success: boolean | null;
  detail: Record<string, unknown>;
}

/** Standard CME evaluation questions (cme-credit.md 2 "Evaluation"; ABIM/ABP MOC need it). */
export const OBJECTIVES_MET = ['fully', 'partly', 'not'] as const;
export const INTENT_TO_CHANGE = ['yes', 'no', 'unsure'] as const;
export const YES_NO = ['yes', 'no'] as const;

export interface EvaluationAnswers {
  objectivesMet: (typeof OBJECTIVES_MET)[number];
  intentToChange: (typeof INTENT_TO_CHANGE)[number];
  changeDescription: string;
  fairBalance: (typeof YES_NO)[number];
  freeOfCommercialBias: (typeof YES_NO)[number];
  biasComment: string;
  /** The activity's own questions, by question id. */
  own: Record<string, string>;
}

/** Wording learners affirm when the office typed none; versioned like the office's own statements. */
export const DEFAULT_ATTESTATION = {
  version: 'default-1',
  text: 'I attest that the time I enter is the time I actually spent on this activity, and I claim only credit commensurate with the extent of my participation.',
};

/** What a claim would award, as shown before the learner submits and as written when they do. */
export interface ClaimPreview {
  eligible: boolean;
  reasons: string[];
  awards: { creditType: string; label: string; amount: number; unit: string; unitLabel: string; ceu?: number }[];
  participation: { creditType: string; label: string; designated: number }[];
  moc: { board: string; points: number }[];
  ruleVersion: string;
  claimableMinutes: number;
}
