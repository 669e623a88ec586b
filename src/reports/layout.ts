/**
 * Column layouts of the files sent to ACCME PARS and NABP CPE Monitor (no I/O). Their field layouts are not
 * confirmed (cme-credit.md 6.3: "get the current ACPE technical specification"; ACCME revises PARS files), so
 * each is a JSON template in config/exports/ naming, per column, its header, the field it takes and a format.
 * An office adjusts the template without a release; a template naming an unknown field is refused at once.
 */
import { z } from 'zod';

export const PARS_FIELDS = [
  'claimId', 'learnerId', 'firstName', 'lastName', 'birthMonth', 'birthDay', 'board', 'boardId', 'licenseState', 'licenseId',
  'completionDate', 'creditType', 'creditLabel', 'amount', 'unit', 'consent', 'activityId', 'activityTitle', 'activityFormat',
] as const;
export const CPE_FIELDS = [
  'claimId', 'learnerId', 'firstName', 'lastName', 'nabpEprofileId', 'birthMonth', 'birthDay', 'uan', 'audience',
  'completionDate', 'contactHours', 'ceu', 'activityId', 'activityTitle', 'acpeActivityType',
] as const;

export type ParsField = (typeof PARS_FIELDS)[number];
export type CpeField = (typeof CPE_FIELDS)[number];
export type LayoutKind = 'pars_learner' | 'cpe_monitor';
export type FieldValue = string | number | boolean | null;

/**
 * text: as is; upper: upper case; pad2: two digits (04); decimal2/3: fixed decimals; yesno: Y or N; date formats
 * rearrange an ISO date. The source `birthMonthDay` writes MMDD, CPE Monitor's form of the birth date (cme-credit 1.3).
 */
export const FORMATS = ['text', 'upper', 'pad2', 'decimal2', 'decimal3', 'yesno', 'date:YYYY-MM-DD', 'date:MM/DD/YYYY', 'date:YYYYMMDD', 'date:MMDDYYYY'] as const;
export type Format = (typeof FORMATS)[number];

const column = z.strictObject({
  name: z.string().min(1).max(80),
  source: z.string().min(1).optional(),
  /** A constant written in every row (a provider id, a file version), instead of a source field. */
  value: z.string().max(200).optional(),
  format: z.enum(FORMATS).default('text'),
});

const layoutSchema = z.strictObject({
  kind: z.enum(['pars_learner', 'cpe_monitor']),
  title: z.string().min(1),
  confirmed: z.boolean(),
  note: z.string().optional(),
  delimiter: z.enum([',', '\t', ';', '|']).default(','),
  header: z.boolean().default(true),
  fileExtension: z.enum(['csv', 'txt', 'tsv']).default('csv'),
  columns: z.array(column).min(1).max(100),
});

export type Layout = z.infer<typeof layoutSchema>;

/** Validates a template; the message names every problem (the file and the column) so an office can fix it. */
export function parseLayout(json: unknown, kind: LayoutKind, file: string): { ok: true; layout: Layout } | { ok: false; message: string } {
  const parsed = layoutSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, message: `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'layout'}: ${i.message}`).join('; ')}` };
  }
  const layout = parsed.data;
  const problems: string[] = [];
  if (layout.kind !== kind) problems.push(`kind is ${layout.kind}, expected ${kind}`);
  const fields: readonly string[] = kind === 'pars_learner' ? PARS_FIELDS : CPE_FIELDS;
  layout.columns.forEach((c, i) => {
    if ((c.source === undefined) === (c.value === undefined)) problems.push(`columns.${i} (${c.name}): give either source or value`);
    if (c.source !== undefined && c.source !== 'birthMonthDay' && !fields.includes(c.source)) {
      problems.push(`columns.${i} (${c.name}): unknown source "${c.source}"; known: ${[...fields, 'birthMonthDay'].join(', ')}`);
    }
  });
  return problems.length ? { ok: false, message: `${file}: ${problems.join('; ')}` } : { ok: true, layout };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

function formatDate(iso: string, pattern: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!m) return iso;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  return pattern.replace('YYYY', y).replace('MM', mo).replace('DD', d);
}

export function formatValue(value: FieldValue, format: Format): string | number | null {
  if (value === null || value === '') return null;
  switch (format) {
    case 'text': return typeof value === 'boolean' ? (value ? 'true' : 'false') : value;
    case 'upper': return String(value).toUpperCase();
    case 'pad2': return typeof value === 'number' ? pad2(value) : String(value).padStart(2, '0');
    case 'decimal2': return Number(value).toFixed(2);
    case 'decimal3': return Number(value).toFixed(3);
    case 'yesno': return value === true || value === 'true' ? 'Y' : 'N';
    default: return formatDate(String(value), format.slice('date:'.length));
  }
}

export const headerOf = (layout: Layout): string[] => layout.columns.map((c) => c.name);

/** The cells of one record in the layout's order. `birthMonthDay` joins month and day as MMDD. */
export function cellsOf(layout: Layout, record: Record<string, FieldValue>): (string | number | null)[] {
  return layout.columns.map((c) => {
    if (c.value !== undefined) return c.value;
    if (c.source === 'birthMonthDay') {
      const m = record.birthMonth;
      const d = record.birthDay;
      return typeof m === 'number' && typeof d === 'number' ? `${pad2(m)}${pad2(d)}` : null;
    }
    return formatValue(record[c.source!] ?? null, c.format);
  });
}
