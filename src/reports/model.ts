/**
 * Reports vocabulary (no I/O). Submission = a file for a reporting target (ACCME PARS learner completions, NABP CPE
 * Monitor) whose claims must not be sent twice by accident; Transcript = a learner's or an activity's claims, which
 * reports nothing to anyone; Export = one produced file of either, recorded with its claims (cme-credit.md 5,
 * "ReportSubmission"); Roster = an activity's learners, enrolled or only in the LMS course (NRPS).
 */

export type Submission = 'PARS_LEARNER' | 'CPE_MONITOR';
export type ExportKind = 'pars_learner' | 'cpe_monitor' | 'transcript_learner' | 'transcript_activity';
/** new: only claims never sent to the target; correction: re-sends claims already sent (recorded as such); copy: a transcript. */
export type ExportMode = 'new' | 'correction' | 'copy';

export const SUBMISSION_KIND: Record<Submission, ExportKind> = { PARS_LEARNER: 'pars_learner', CPE_MONITOR: 'cpe_monitor' };
export const SUBMISSION_LABELS: Record<Submission, string> = { PARS_LEARNER: 'ACCME PARS learner completions', CPE_MONITOR: 'NABP CPE Monitor' };

export interface ExportRecord {
  id: string;
  kind: ExportKind;
  target: Submission | null;
  mode: ExportMode;
  format: 'csv' | 'pdf';
  scope: Record<string, unknown>;
  requestedBy: string;
  requestedName: string | null;
  status: 'complete' | 'failed';
  rowCount: number;
  claimCount: number;
  bytes: number;
  sha256: string | null;
  error: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

/** Who asked for an export: an LTI user (platform issuer + sub) or a CLI user. */
export interface Requester { id: string; name: string | null }

/** Where a learner stands in an activity (the roster's columns), or a course member who never launched. */
export interface RosterEntry {
  platformId: string;
  sub: string;
  name: string;
  launched: boolean;
  lmsStatus: string | null;
  step: string | null;
  registeredAt: Date | null;
  minutes: number;
  disclosures: boolean;
  content: boolean;
  posttest: { attempts: number; best: number | null; passed: boolean };
  /** Scaled score (0..1) of the pre-test; null when not taken or the activity has no pre-test. */
  pretest: number | null;
  evaluation: boolean;
  claimed: boolean;
  claims: { creditType: string; amount: number; unit: string }[];
}

/** Progress of a running export, for the page and the CLI bar. */
export interface Progress { done: number; total: number }
export type ProgressListener = (p: Progress) => void;
