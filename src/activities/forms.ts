/**
 * The builder's forms, read and validated at the edge (zod). Each section of the activity has its own form;
 * rows (people, supporters) keep their index in the page so an error links to the right field.
 */
import { z } from 'zod';
import {
  bodyOf, checkbox, issuesToErrors, lines, optionalDate, parseForm, requiredText, rows, text,
  type FieldError, type FormResult,
} from '../web/form-parsing';
import { sanitizeRichText } from './sanitize';
import {
  CONTENT_KINDS, EXPECTED_RESULTS, LEARNING_FORMATS, PERSON_ROLES, STATEMENT_KINDS,
  type CommercialSupport, type Content, type Person, type StatementKind,
} from './model';

export const detailsSchema = z.object({
  title: requiredText(300, 'Enter the activity title.'),
  description: text(5000),
  learningFormat: z.enum(LEARNING_FORMATS, { message: 'Choose the learning format.' }),
  startDate: optionalDate,
  endDate: optionalDate,
  releaseDate: optionalDate,
  lastReviewDate: optionalDate,
  terminationDate: optionalDate,
  objectives: lines({ maxItems: 30, maxLength: 500 }),
  expectedResults: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(EXPECTED_RESULTS, { message: 'Choose from the listed results.' }))),
});
export type DetailsInput = z.infer<typeof detailsSchema>;

export const parseDetails = (body: unknown) => parseForm(detailsSchema, bodyOf(body));

/** New activity from the deep-linking picker: just a title and format; the rest is filled in the builder. */
export const newActivitySchema = detailsSchema.pick({ title: true, learningFormat: true });
export const parseNewActivity = (body: unknown) => parseForm(newActivitySchema, bodyOf(body));

const RELATIONSHIP_LINE = /^([^:]{1,200}):\s*(.{1,300})$/;

const personRow = z.object({
  name: requiredText(200, 'Enter the person\'s name.'),
  credentials: text(100),
  role: z.enum(PERSON_ROLES, { message: 'Choose the role.' }),
  noneDeclared: checkbox,
  relationships: lines({ maxItems: 20, maxLength: 500 }).pipe(
    z.array(z.string().regex(RELATIONSHIP_LINE, 'Write each relationship on its own line as Company: nature (for example "Acme Pharma: speaker").')),
  ),
  mitigation: text(2000),
});

const supportRow = z.object({
  supporter: requiredText(200, 'Enter the supporter\'s name.'),
  amount: text(100),
  inKind: checkbox,
});

const blank = (r: Record<string, unknown>, keys: string[]) => keys.every((k) => r[k] === undefined || (typeof r[k] === 'string' && (r[k] as string).trim() === ''));
const removed = (r: Record<string, unknown>) => r.remove === 'on' || r.remove === '1';

/** People (faculty, planners...) and commercial supporters: the disclosure section. */
export function parseDisclosures(body: unknown): FormResult<{ people: Omit<Person, 'id'>[]; commercialSupport: CommercialSupport[] }> {
  const b = bodyOf(body);
  const errors: FieldError[] = [];
  const people: Omit<Person, 'id'>[] = [];
  rows(b.people).forEach((r, i) => {
    if (removed(r) || blank(r, ['name', 'credentials', 'relationships', 'mitigation'])) return;
    const p = personRow.safeParse(r);
    if (!p.success) return void errors.push(...issuesToErrors(p.error.issues, ['people', i]));
    people.push({
      ...p.data,
      relationships: p.data.relationships.map((l) => {
        const m = RELATIONSHIP_LINE.exec(l)!;
        return { company: m[1]!.trim(), nature: m[2]!.trim() };
      }),
    });
  });
  const commercialSupport: CommercialSupport[] = [];
  rows(b.support).forEach((r, i) => {
    if (removed(r) || blank(r, ['supporter', 'amount'])) return;
    const s = supportRow.safeParse(r);
    if (!s.success) return void errors.push(...issuesToErrors(s.error.issues, ['support', i]));
    commercialSupport.push(s.data);
  });
  if (people.length > 50) errors.push({ field: 'people-0-name', message: 'At most 50 people.' });
  return errors.length ? { ok: false, errors } : { ok: true, value: { people, commercialSupport } };
}

const httpUrl = z.string().trim().max(2000).refine((s) => {
  try {
    return ['http:', 'https:'].includes(new URL(s).protocol);
  } catch {
    return false;
  }
}, 'Enter a full web address starting with https://.');

const contentSchema = z.object({
  kind: z.enum(CONTENT_KINDS, { message: 'Choose the kind of content.' }),
  url: text(2000),
  html: z.preprocess((v) => (v === undefined ? '' : v), z.string().max(200_000, 'The text is too long.')),
});

export function parseContent(body: unknown): FormResult<Content> {
  const r = contentSchema.safeParse(bodyOf(body));
  if (!r.success) return { ok: false, errors: issuesToErrors(r.error.issues, ['content']) };
  const { kind, url, html } = r.data;
  if (kind === 'url' || kind === 'embed') {
    const u = httpUrl.safeParse(url);
    return u.success ? { ok: true, value: { kind, url: u.data } } : { ok: false, errors: issuesToErrors(u.error.issues, ['content', 'url']) };
  }
  if (kind === 'text') {
    const clean = sanitizeRichText(html);
    if (!clean.replace(/<[^>]*>/g, '').trim()) return { ok: false, errors: [{ field: 'content-html', message: 'Type the text learners will read.' }] };
    return { ok: true, value: { kind, html: clean } };
  }
  return { ok: true, value: { kind: 'none' } };
}

const statementsSchema = z.object(
  Object.fromEntries(STATEMENT_KINDS.map((k) => [k, text(5000, 'Keep each statement under 5000 characters.')])) as Record<StatementKind, ReturnType<typeof text>>,
);

export function parseStatements(body: unknown): FormResult<Record<StatementKind, string>> {
  return parseForm(statementsSchema, bodyOf(bodyOf(body).statements), ['statements']) as FormResult<Record<StatementKind, string>>;
}
