/**
 * Helpers to read HTML form bodies (express.urlencoded, extended) with zod, and to turn zod issues into field
 * errors a page can link to (error summary: "#f-<path>"). Shared by every feature with server-rendered forms.
 */
import { z } from 'zod';

export interface FieldError { field: string; message: string }

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** A text field: absent = '', trimmed; anything but a string (a tampered array) is refused. */
export const text = (max: number, message?: string) =>
  z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ message: 'Enter text here.' }).trim().max(max, message ?? `Keep this under ${max} characters.`));

export const requiredText = (max: number, message: string) =>
  z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ message }).trim().min(1, message).max(max, `Keep this under ${max} characters.`));

/** A checkbox: present (any of the usual "on" values) = true. */
export const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true || (Array.isArray(v) && v.length > 0), z.boolean());

/** An optional ISO date (YYYY-MM-DD, as <input type="date"> sends it); '' = null. */
export const optionalDate = z.preprocess(
  (v) => (v === undefined || v === '' ? null : v),
  z.union([z.null(), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'Enter the date as YYYY-MM-DD.').refine((s) => !Number.isNaN(Date.parse(s)), 'Enter a real date.')]),
);

/** A textarea with one item per line; blank lines dropped. */
export const lines = (options: { maxItems: number; maxLength: number }) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.split(/\r?\n/).map((l) => l.trim()).filter(Boolean) : v === undefined ? [] : v),
    z.array(z.string().max(options.maxLength, `Keep each line under ${options.maxLength} characters.`), { message: 'Enter one item per line.' })
      .max(options.maxItems, `At most ${options.maxItems} lines.`),
  );

/** An optional number field; '' = null. */
export const optionalNumber = (options: { min: number; max: number; int?: boolean; message: string }) =>
  z.preprocess(
    (v) => (v === undefined || v === '' ? null : typeof v === 'string' ? Number(v.trim()) : v),
    z.union([z.null(), (options.int ? z.number({ message: options.message }).int(options.message) : z.number({ message: options.message })).min(options.min, options.message).max(options.max, options.message)]),
  );

/** A list of form rows (people[0][name] ...), as an array whatever qs made of it. */
export function rows(v: unknown): Record<string, unknown>[] {
  const list = Array.isArray(v) ? v : v && typeof v === 'object' ? Object.values(v as Record<string, unknown>) : [];
  return list.filter((r): r is Record<string, unknown> => !!r && typeof r === 'object' && !Array.isArray(r));
}

export const fieldId = (path: PropertyKey[]) => path.map(String).join('-');

/** Field errors from zod issues; an issue about one line of a textarea or one ticked box names the whole field. */
export function issuesToErrors(issues: z.core.$ZodIssue[], prefix: PropertyKey[] = []): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const i of issues) {
    const path = [...i.path];
    while (path.length && typeof path[path.length - 1] === 'number') path.pop();
    const field = fieldId([...prefix, ...path]);
    if (seen.has(field)) continue;
    seen.add(field);
    out.push({ field, message: i.message });
  }
  return out;
}

export function parseForm<S extends z.ZodType>(schema: S, body: unknown, prefix: PropertyKey[] = []): FormResult<z.infer<S>> {
  const r = schema.safeParse(body ?? {});
  return r.success ? { ok: true, value: r.data } : { ok: false, errors: issuesToErrors(r.error.issues, prefix) };
}

/** The body of a form post as a plain object (never undefined). */
export const bodyOf = (body: unknown): Record<string, unknown> => (body && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : {});
