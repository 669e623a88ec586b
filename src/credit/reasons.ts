/**
 * The sentences that explain why a learner is not eligible (no I/O). They are shown to learners and office staff
 * and compared by tests and reports, so they are stable: change one only on purpose, with its tests.
 */
import { PROFESSION_NOUNS, type Profession, type UanAudience } from './model';
import { describeSeconds } from './rounding';

/** 0.7 -> "70%", 0.755 -> "75.5%". */
function percent(fraction: number): string {
  return `${Math.round(fraction * 1000) / 10}%`;
}

/** "an enduring", "a journal": the indefinite article a word takes in our sentences (by its first letter). */
export function withArticle(word: string): string {
  return `${/^[aeiou]/i.test(word) ? 'an' : 'a'} ${word}`;
}

export function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export const REASONS = {
  postTestMissing: (passMark: number) => `No post-test score is recorded; a score of at least ${percent(passMark)} is required.`,
  postTestBelow: (options: { score: number; passMark: number }) =>
    `The post-test score of ${percent(options.score)} is below the pass mark of ${percent(options.passMark)}.`,
  evaluationMissing: () => 'The activity evaluation has not been completed.',
  noAttestedTime: () => 'The attested time is 0 minutes, so there is no participation to credit.',
  noRecordedTime: () => 'The recorded participation time is 0 minutes, so there is no participation to credit.',
  profession: (options: { profession: Profession; label: string; participation: boolean }) =>
    `${capitalised(PROFESSION_NOUNS[options.profession])} cannot receive ${options.label}` +
    (options.participation ? ' (a certificate of participation is issued instead).' : '.'),
  uanAudience: (options: { profession: Profession; label: string; uan: string; needed: UanAudience }) =>
    `${capitalised(PROFESSION_NOUNS[options.profession])} cannot receive ${options.label} on UAN ${options.uan}: ` +
    `its audience letter is ${options.uan.slice(-1)}, and ${PROFESSION_NOUNS[options.profession]} needs ${options.needed}.`,
  roundsToZero: (options: { seconds: number; label: string }) =>
    `${capitalised(describeSeconds(options.seconds))} of participation comes to zero ${options.label} after rounding.`,
} as const;
