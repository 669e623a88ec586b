/**
 * Rules an activity must meet (no I/O): what publishing needs, UAN shape, and when designations may change.
 * Each problem names the field it is about, so the builder page can link to it.
 */
import {
  isEnduring, LIVE_FORMATS, needsPassMark, statementOf,
  type Activity, type AcpeAudience, type Designation, type LearningFormat,
} from './model';

export interface Problem { field: string; message: string }

/**
 * ACPE Universal Activity Number (cme-credit 1.3): provider (4 digits, or JA + 7 digits for jointly accredited
 * providers), sponsorship 0000/9999, 2-digit year, 3-digit sequence, format letter + 2-digit topic, audience P/T.
 * The "B" (blended) format letter is unconfirmed [U] and accepted.
 */
export const UAN_PATTERN = /^(JA\d{7}|\d{4})-(0000|9999)-\d{2}-\d{3}-([LHB])\d{2}-([PT])$/;

export function checkUan(uan: string, audience: AcpeAudience, format: LearningFormat): string | null {
  const m = UAN_PATTERN.exec(uan);
  if (!m) return 'Enter the UAN as provider-sponsorship-year-number-format/topic-audience, for example JA0006235-9999-25-076-L01-P.';
  if (m[4] !== audience) return `This UAN ends in ${m[4]} but the designation is for ${audience === 'P' ? 'pharmacists (P)' : 'pharmacy technicians (T)'}.`;
  // L = live, H = home study (cme-credit 1.3): a live format with an H number (or the reverse) is a typing slip.
  if (m[3] === 'H' && LIVE_FORMATS.includes(format)) return 'This UAN has the home-study letter H but the activity is live (expected L).';
  if (m[3] === 'L' && (isEnduring(format) || format === 'journal')) return 'This UAN has the live letter L but the activity is home study (expected H).';
  return null;
}

/** AMA PRA and AAPA credit is designated in quarter hours (cme-credit 1.1, 1.5). */
const QUARTER_TYPES = new Set(['AMA_PRA_1', 'AAPA_1']);

export function checkDesignation(d: Pick<Designation, 'creditType' | 'maxAmount' | 'acpe'>, format: LearningFormat): Problem[] {
  const key = designationKey(d);
  const out: Problem[] = [];
  if (!(d.maxAmount > 0) || d.maxAmount > 999) out.push({ field: `designations-${key}-maxAmount`, message: 'The maximum must be a number above 0 and below 1000.' });
  else if (QUARTER_TYPES.has(d.creditType) && Math.round(d.maxAmount * 4) !== d.maxAmount * 4) {
    out.push({ field: `designations-${key}-maxAmount`, message: 'This credit is designated in quarter hours (0.25, 0.5, 0.75 ...).' });
  }
  if (d.creditType === 'ACPE') {
    if (!d.acpe) out.push({ field: `designations-${key}-uan`, message: 'An ACPE designation needs its UAN and activity type.' });
    else {
      const bad = checkUan(d.acpe.uan, d.acpe.audience, format);
      if (bad) out.push({ field: `designations-${key}-uan`, message: bad });
    }
  }
  return out;
}

/** Key of a designation row in forms: the credit type, and for ACPE its audience (ACPE_P, ACPE_T). */
export const designationKey = (d: Pick<Designation, 'creditType' | 'acpe'>) => (d.creditType === 'ACPE' ? `ACPE_${d.acpe?.audience ?? 'P'}` : d.creditType);

/** Designations are fixed before the activity starts (advance designation, cme-credit 2): frozen once a learner began. */
export const designationsFrozen = (a: Pick<Activity, 'learnerStartedAt'>) => a.learnerStartedAt !== null;

/**
 * The post-test questions are the pre-test (docs/outcomes.md): once a learner started an activity with a pre-test,
 * its questions are frozen so that pre and post compare the same ones. ActivityStore.updateRequirements enforces it.
 */
export const pretestQuestionsFrozen = (a: Pick<Activity, 'learnerStartedAt' | 'pretest'>) => a.learnerStartedAt !== null && a.pretest;

const dayDiff = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;

function dateProblems(a: Activity): Problem[] {
  const out: Problem[] = [];
  if (a.startDate && a.endDate && a.endDate < a.startDate) out.push({ field: 'endDate', message: 'The end date is before the start date.' });
  if (LIVE_FORMATS.includes(a.learningFormat) && !a.startDate) out.push({ field: 'startDate', message: 'A live activity needs its start date.' });
  if (isEnduring(a.learningFormat)) {
    // cme-credit 1.1: release, latest review and termination dates are disclosed before the learner starts;
    // enduring materials are re-reviewed at least every 3 years.
    if (!a.releaseDate) out.push({ field: 'releaseDate', message: 'Enduring material needs its release date.' });
    if (!a.lastReviewDate) out.push({ field: 'lastReviewDate', message: 'Enduring material needs its latest review date.' });
    if (!a.terminationDate) out.push({ field: 'terminationDate', message: 'Enduring material needs its termination date.' });
    if (a.releaseDate && a.terminationDate && a.terminationDate <= a.releaseDate) out.push({ field: 'terminationDate', message: 'The termination date must be after the release date.' });
    if (a.releaseDate && a.lastReviewDate && a.lastReviewDate < a.releaseDate) out.push({ field: 'lastReviewDate', message: 'The latest review cannot be before the release.' });
    if (a.lastReviewDate && a.terminationDate && dayDiff(a.lastReviewDate, a.terminationDate) > 3 * 366) {
      out.push({ field: 'terminationDate', message: 'Enduring material must be reviewed at least every 3 years: the termination date is more than 3 years after the latest review.' });
    }
  }
  return out;
}

function disclosureProblems(a: Activity): Problem[] {
  const out: Problem[] = [];
  if (a.people.length === 0) out.push({ field: 'people-0-name', message: 'List everyone who controls the content (faculty and planners) with their disclosures.' });
  a.people.forEach((p, i) => {
    if (!p.noneDeclared && p.relationships.length === 0) {
      out.push({ field: `people-${i}-relationships`, message: `${p.name}: list the financial relationships, or tick "no relevant financial relationships".` });
    }
    if (p.noneDeclared && p.relationships.length > 0) out.push({ field: `people-${i}-noneDeclared`, message: `${p.name}: "none" is ticked but relationships are listed.` });
    // Standards for Integrity and Independence: relevant relationships are mitigated before the activity (cme-credit 2).
    if (p.relationships.length > 0 && !p.mitigation.trim()) out.push({ field: `people-${i}-mitigation`, message: `${p.name}: say how the relevant relationships were mitigated.` });
  });
  return out;
}

function requirementProblems(a: Activity): Problem[] {
  const out: Problem[] = [];
  if (needsPassMark(a.learningFormat) && (a.passMarkPct === null || a.posttest.length === 0)) {
    out.push({ field: 'passMarkPct', message: 'Enduring and journal-based activities need a post-test with a pass mark before they can be published.' });
  }
  if (a.passMarkPct !== null && a.posttest.length === 0) out.push({ field: 'posttest-0-prompt', message: 'A pass mark is set but the post-test has no questions.' });
  if (a.posttest.length > 0 && a.passMarkPct === null) out.push({ field: 'passMarkPct', message: 'The post-test needs a pass mark, shown to learners before they start.' });
  return out;
}

/** Everything that stops an activity from being published; empty = publishable. */
export function publishProblems(a: Activity): Problem[] {
  const out: Problem[] = [];
  if (!a.title.trim()) out.push({ field: 'title', message: 'The activity needs a title.' });
  if (a.objectives.length === 0) out.push({ field: 'objectives', message: 'State at least one learning objective.' });
  if (a.expectedResults.length === 0) out.push({ field: 'expectedResults', message: 'Say which results the activity is designed to change.' });
  out.push(...dateProblems(a), ...disclosureProblems(a), ...requirementProblems(a));
  if (a.designations.length === 0) out.push({ field: 'designations-AMA_PRA_1-maxAmount', message: 'Designate at least one credit type.' });
  for (const d of a.designations) out.push(...checkDesignation(d, a.learningFormat));
  if (!statementOf(a, 'accreditation')?.text.trim()) out.push({ field: 'statements-accreditation', message: 'Type the accreditation statement (it is shown to learners before they start).' });
  if (a.designations.length > 0 && !statementOf(a, 'designation')?.text.trim()) out.push({ field: 'statements-designation', message: 'Type the credit designation statement.' });
  if (a.moc.length > 0 && !statementOf(a, 'moc')?.text.trim()) out.push({ field: 'statements-moc', message: 'Type the MOC statement (it is mandatory on materials for MOC activities).' });
  if (a.content.kind === 'none') out.push({ field: 'content-kind', message: 'Add the content learners will use.' });
  return out;
}
