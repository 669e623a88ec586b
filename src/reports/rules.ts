/**
 * What a PARS or CPE Monitor row holds and when a learner's row cannot be sent (no I/O). A row with a problem is
 * left out of the file and listed for the registrar with its deadline, so a missing e-Profile id or birth date is
 * found before the deadline, not in a rejection after it (cme-credit.md 3, "Wrong NABP e-Profile ID / DOB").
 */
import type { BoardId, ProtectedIds, StateLicense } from '../learning';
import type { FieldValue } from './layout';

/** Suggested UAN check of cme-credit.md 1.3 ("B" unconfirmed): JA or 4-digit provider, sponsorship, year, number, format+topic, audience. */
export const UAN_PATTERN = /^(JA\d{7}|\d{4})-(0000|9999)-\d{2}-\d{3}-[LHB]\d{2}-[PT]$/;

/** Boards whose PARS report needs no board id (cme-credit.md 1.7: "certifying-board ID (optional for ABS)"). */
export const BOARD_ID_OPTIONAL = ['ABS'];

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export interface PersonName { name: string | null; givenName: string | null; familyName: string | null }

/** First and last name: the LMS's given/family names, else the full name split at its last space. */
export function splitName(p: PersonName): { firstName: string; lastName: string } {
  const given = p.givenName?.trim() ?? '';
  const family = p.familyName?.trim() ?? '';
  if (given || family) return { firstName: given, lastName: family };
  const full = (p.name ?? '').trim().replace(/\s+/g, ' ');
  const at = full.lastIndexOf(' ');
  return at < 0 ? { firstName: '', lastName: full } : { firstName: full.slice(0, at), lastName: full.slice(at + 1) };
}

export const validBirth = (ids: Pick<ProtectedIds, 'birthMonth' | 'birthDay'> | null): boolean =>
  !!ids && Number.isInteger(ids.birthMonth) && ids.birthMonth >= 1 && ids.birthMonth <= 12 &&
  Number.isInteger(ids.birthDay) && ids.birthDay >= 1 && ids.birthDay <= DAYS_IN_MONTH[ids.birthMonth - 1]!;

/** What a claim row from the database carries into either file. */
export interface ClaimFacts {
  claimId: string;
  platformId: string;
  sub: string;
  creditType: string;
  amount: number;
  unit: string;
  completionDate: string;
  activityId: string;
  activityTitle: string;
  activityFormat: string;
  person: PersonName;
  consent: boolean;
}

export type Built = { record: Record<string, FieldValue>; problems: string[] };

/**
 * A PARS learner row: an MOC claim (credit type MOC_<board>) goes with the learner's id for that board; an AMA PRA
 * Category 1 claim is reported for licensure with the primary state licence (cme-credit.md 1.7).
 * `ids` is null when the learner gave no birth date or it cannot be read.
 */
export function parsRow(c: ClaimFacts, profile: { boardIds: BoardId[]; stateLicenses: StateLicense[] }, ids: ProtectedIds | null): Built {
  const problems: string[] = [];
  const { firstName, lastName } = splitName(c.person);
  if (!firstName || !lastName) problems.push('no first and last name from the LMS');
  if (!validBirth(ids)) problems.push('no valid birth month and day');
  if (!c.consent) problems.push('no permission to report to PARS');
  let board: string | null = null;
  let boardId: string | null = null;
  let licenseState: string | null = null;
  let licenseId: string | null = null;
  if (c.creditType.startsWith('MOC_')) {
    board = c.creditType.slice(4);
    boardId = profile.boardIds.find((b) => b.board.toUpperCase() === board)?.id ?? null;
    if (!boardId && !BOARD_ID_OPTIONAL.includes(board)) problems.push(`no ${board} board id`);
  } else {
    const license = profile.stateLicenses.find((l) => l.primary) ?? profile.stateLicenses[0];
    licenseState = license?.state ?? null;
    licenseId = license?.licenseId ?? null;
    if (!licenseState || !licenseId) problems.push('no state licence for licensure reporting');
  }
  return {
    problems,
    record: {
      claimId: c.claimId, learnerId: c.sub, firstName, lastName, birthMonth: ids && validBirth(ids) ? ids.birthMonth : null,
      birthDay: ids && validBirth(ids) ? ids.birthDay : null, board, boardId, licenseState, licenseId, completionDate: c.completionDate,
      creditType: c.creditType, creditLabel: c.creditType, amount: c.amount, unit: c.unit, consent: c.consent,
      activityId: c.activityId, activityTitle: c.activityTitle, activityFormat: c.activityFormat,
    },
  };
}

/** A CPE Monitor row (cme-credit.md 1.3): e-Profile id and MMDD birth date must match NABP's, or the claim is rejected. */
export function cpeRow(c: ClaimFacts, acpe: { uan: string | null; activityType: string | null; audience: string | null }, ids: ProtectedIds | null, nabpPattern: RegExp): Built {
  const problems: string[] = [];
  const { firstName, lastName } = splitName(c.person);
  const eprofile = ids?.nabpEprofileId?.trim() ?? '';
  if (!eprofile) problems.push('no NABP e-Profile ID');
  else if (!nabpPattern.test(eprofile)) problems.push('malformed NABP e-Profile ID');
  if (!validBirth(ids)) problems.push('no valid birth month and day');
  if (!acpe.uan) problems.push('the activity has no ACPE UAN');
  else if (!UAN_PATTERN.test(acpe.uan)) problems.push('the activity\'s UAN is malformed');
  return {
    problems,
    record: {
      claimId: c.claimId, learnerId: c.sub, firstName, lastName, nabpEprofileId: problems.length ? null : eprofile,
      birthMonth: ids && validBirth(ids) ? ids.birthMonth : null, birthDay: ids && validBirth(ids) ? ids.birthDay : null,
      uan: acpe.uan, audience: acpe.audience, completionDate: c.completionDate, contactHours: c.amount,
      ceu: Math.round(c.amount * 0.1 * 1000) / 1000, activityId: c.activityId, activityTitle: c.activityTitle, acpeActivityType: acpe.activityType,
    },
  };
}

/** Credit totals per credit type and unit, in a stable order. */
export function totalsOf(rows: Iterable<{ creditType: string; unit: string; amount: number }>): { creditType: string; unit: string; amount: number; claims: number }[] {
  const map = new Map<string, { creditType: string; unit: string; amount: number; claims: number }>();
  for (const r of rows) {
    const key = `${r.creditType}\n${r.unit}`;
    const t = map.get(key) ?? { creditType: r.creditType, unit: r.unit, amount: 0, claims: 0 };
    t.amount = Math.round((t.amount + r.amount) * 100) / 100;
    t.claims += 1;
    map.set(key, t);
  }
  return [...map.values()].sort((a, b) => a.creditType.localeCompare(b.creditType) || a.unit.localeCompare(b.unit));
}
