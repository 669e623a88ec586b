/**
 * Reporting deadlines (no I/O), from the completion date of a claim (an ISO date):
 * - PARS (cme-credit.md 1.7, S59/S62): boards expect the report within 30 days of completion; reported by 31
 *   December the credit counts for that year; PARS takes a year's learner data until 31 March of the next year,
 *   then the year closes.
 * - CPE Monitor (cme-credit.md 1.3, S35/S36): within 60 days of completion; after that it refuses the claim.
 */

export type DeadlineTarget = 'PARS_LEARNER' | 'CPE_MONITOR';
export type Urgency = 'ok' | 'soon' | 'overdue' | 'closed';

export interface Deadline { label: string; date: string; daysLeft: number; passed: boolean }

export interface DeadlineFlags {
  /** The date after which the target refuses the claim (PARS closes the year; CPE Monitor's day 60). */
  closes: string;
  daysLeft: number;
  urgency: Urgency;
  deadlines: Deadline[];
}

const DAY = 86_400_000;
const parse = (iso: string) => Date.UTC(Number(iso.slice(0, 4)), Number(iso.slice(5, 7)) - 1, Number(iso.slice(8, 10)));
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
export const addDays = (isoDate: string, days: number) => iso(parse(isoDate) + days * DAY);
const daysBetween = (fromIso: string, toIso: string) => Math.round((parse(toIso) - parse(fromIso)) / DAY);

/** Warn this many days before a deadline. */
export const SOON_DAYS = 14;

export function deadlinesFor(target: DeadlineTarget, completionDate: string, today: string): DeadlineFlags {
  const year = Number(completionDate.slice(0, 4));
  const list: { label: string; date: string }[] = target === 'CPE_MONITOR'
    ? [{ label: 'CPE Monitor (60 days)', date: addDays(completionDate, 60) }]
    : [
      { label: 'Board reporting (30 days)', date: addDays(completionDate, 30) },
      { label: `Counts for ${year} (31 December)`, date: `${year}-12-31` },
      { label: `PARS closes ${year} (31 March)`, date: `${year + 1}-03-31` },
    ];
  const deadlines = list.map((d) => {
    const daysLeft = daysBetween(today, d.date);
    return { ...d, daysLeft, passed: daysLeft < 0 };
  });
  const last = deadlines[deadlines.length - 1]!;
  const nearest = Math.min(...deadlines.filter((d) => !d.passed).map((d) => d.daysLeft));
  const urgency: Urgency = last.passed ? 'closed' : deadlines.some((d) => d.passed) ? 'overdue' : nearest <= SOON_DAYS ? 'soon' : 'ok';
  return { closes: last.date, daysLeft: last.daysLeft, urgency, deadlines };
}

export const todayIso = (now = new Date()) => now.toISOString().slice(0, 10);
