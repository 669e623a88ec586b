/**
 * The CME activity as the office designates it (no I/O). Vocabulary of shared/domain/cme-credit.md sections 1 and 5:
 * Designation = the credit type and maximum fixed before the activity starts; MOC registration = a board's points.
 */

export const LEARNING_FORMATS = ['course', 'rss', 'enduring', 'journal', 'internet_live', 'internet_enduring', 'pi', 'other'] as const;
export type LearningFormat = (typeof LEARNING_FORMATS)[number];

/** The names PARS and the designation statement use for each format (cme-credit 1.1, 1.7). */
export const FORMAT_LABELS: Record<LearningFormat, string> = {
  course: 'Live course',
  rss: 'Regularly scheduled series session',
  enduring: 'Enduring material',
  journal: 'Journal-based CME',
  internet_live: 'Internet live activity',
  internet_enduring: 'Internet enduring material',
  pi: 'Performance improvement CME',
  other: 'Other / blended learning',
};

/** Enduring formats must show release, review and termination dates before the learner starts (cme-credit 1.1). */
export const ENDURING_FORMATS: readonly LearningFormat[] = ['enduring', 'internet_enduring'];
/** Formats whose credit needs an assessment with a pass mark announced beforehand (cme-credit 1.1, S6/S11). */
export const ASSESSED_FORMATS: readonly LearningFormat[] = ['enduring', 'internet_enduring', 'journal'];
export const LIVE_FORMATS: readonly LearningFormat[] = ['course', 'rss', 'internet_live'];

export const EXPECTED_RESULTS = ['knowledge', 'competence', 'performance', 'patient_outcomes'] as const;
export type ExpectedResult = (typeof EXPECTED_RESULTS)[number];

export const CREDIT_TYPES = ['AMA_PRA_1', 'ANCC', 'ACPE', 'IPCE', 'AAPA_1', 'ASWB_ACE', 'OTHER'] as const;
export type CreditType = (typeof CREDIT_TYPES)[number];

export const CREDIT_LABELS: Record<CreditType, string> = {
  AMA_PRA_1: 'AMA PRA Category 1 Credit™',
  ANCC: 'ANCC contact hours',
  ACPE: 'ACPE contact hours',
  IPCE: 'IPCE credit',
  AAPA_1: 'AAPA Category 1 CME credit',
  ASWB_ACE: 'ASWB ACE continuing education credit',
  OTHER: 'Other credit',
};

export const ACPE_ACTIVITY_TYPES = ['knowledge', 'application', 'practice'] as const;
export type AcpeActivityType = (typeof ACPE_ACTIVITY_TYPES)[number];
export type AcpeAudience = 'P' | 'T';

export const PERSON_ROLES = ['faculty', 'planner', 'reviewer', 'author'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Kinds of office-typed statements; each is versioned, none is hard-coded (cme-credit, golden rule). */
export const STATEMENT_KINDS = ['accreditation', 'designation', 'moc', 'commercial_support', 'attestation'] as const;
export type StatementKind = (typeof STATEMENT_KINDS)[number];

export const CONTENT_KINDS = ['none', 'url', 'embed', 'text'] as const;
export type ContentKind = (typeof CONTENT_KINDS)[number];

export type Content =
  | { kind: 'none' }
  /** An external activity launched in a new window with xAPI launch parameters. */
  | { kind: 'url'; url: string }
  /** A video or page shown in an iframe on the learner's content page. */
  | { kind: 'embed'; url: string }
  /** Rich text typed in the builder, kept sanitised. */
  | { kind: 'text'; html: string };

export interface Relationship { company: string; nature: string }

export interface Person {
  id: string;
  name: string;
  credentials: string;
  role: PersonRole;
  noneDeclared: boolean;
  relationships: Relationship[];
  mitigation: string;
}

export interface Designation {
  id: string;
  creditType: CreditType;
  maxAmount: number;
  acpe?: { uan: string; activityType: AcpeActivityType; audience: AcpeAudience };
}

export interface MocRegistration {
  id: string;
  board: string;
  maxPoints: number;
  partialAllowed: boolean;
}

export interface CommercialSupport { supporter: string; amount: string; inKind: boolean }

export interface PosttestQuestion { id: string; prompt: string; options: string[]; correct: number }
export interface EvaluationQuestion { id: string; prompt: string }

export interface StatementText { kind: StatementKind; version: number; text: string }

export interface Activity {
  id: string;
  platformId: string;
  contextId: string;
  title: string;
  description: string;
  learningFormat: LearningFormat;
  startDate: string | null;
  endDate: string | null;
  releaseDate: string | null;
  lastReviewDate: string | null;
  terminationDate: string | null;
  objectives: string[];
  expectedResults: ExpectedResult[];
  commercialSupport: CommercialSupport[];
  content: Content;
  passMarkPct: number | null;
  posttest: PosttestQuestion[];
  /**
   * The post-test questions are also given as a pre-test, after the disclosures and before the content: not graded
   * for passing, never a condition of credit, taken once. Same questions, so outcomes compare each one pre and post.
   */
  pretest: boolean;
  requiresEvaluation: boolean;
  evaluationQuestions: EvaluationQuestion[];
  minMinutes: number;
  status: 'draft' | 'published';
  publishedAt: Date | null;
  learnerStartedAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
  people: Person[];
  designations: Designation[];
  moc: MocRegistration[];
  /** The current version of each statement kind the office typed. */
  statements: StatementText[];
}

/** Tag of the AGS line item Accrue asks the platform to create for each placed activity. */
export const LINE_ITEM_TAG = 'accrue-cme-activity';
/** Score maximum of that line item: the gradebook gets the post-test percentage, never credit (cme-credit 5, LTI mapping). */
export const LINE_ITEM_SCORE_MAXIMUM = 100;

export const isEnduring = (f: LearningFormat) => ENDURING_FORMATS.includes(f);
export const needsPassMark = (f: LearningFormat) => ASSESSED_FORMATS.includes(f);
export const statementOf = (a: Pick<Activity, 'statements'>, kind: StatementKind) => a.statements.find((s) => s.kind === kind);

/** The activity gives a pre-test (its post-test questions, before the content): only when it has post-test questions. */
export const hasPretest = (a: Pick<Activity, 'pretest' | 'posttest'>) => a.pretest && a.posttest.length > 0;

/** Same questions in the same order: ids, prompts, options and correct answers. */
export const sameQuestions = (a: PosttestQuestion[], b: PosttestQuestion[]) =>
  a.length === b.length && a.every((x, i) => {
    const y = b[i]!;
    return x.id === y.id && x.prompt === y.prompt && x.correct === y.correct && x.options.length === y.options.length && x.options.every((o, j) => o === y.options[j]);
  });
