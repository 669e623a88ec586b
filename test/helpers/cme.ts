/**
 * Scenario builders for CME tests: an instructor launched into a fresh course, and an activity filled in through
 * the course-builder forms over HTTP (the same requests a builder's browser sends).
 */
import crypto from 'node:crypto';
import { expect } from 'chai';
import request from 'supertest';
import { harness, ROLES } from './harness';
import { launch, learner } from './launch';

export const uniq = (p: string) => `${p}-${crypto.randomUUID().slice(0, 8)}`;

export async function instructorIn(contextId = uniq('course'), overrides: Record<string, unknown> = {}) {
  const { accrue, lms } = harness();
  const l = await launch(accrue.url, lms.platform, learner({ sub: uniq('instructor'), name: 'Ina Instructor', roles: ROLES.instructor, contextId, ...overrides }));
  if (!l.token) throw new Error(`instructor launch failed: ${l.res.status} ${l.res.text.slice(0, 200)}`);
  return { token: l.token, contextId };
}

/** Encodes a form the way a browser sends the builder's pages: rows as people[0][name], repeated checkboxes as repeated names. */
export function encodeForm(form: Record<string, unknown>): string {
  const out = new URLSearchParams();
  const walk = (prefix: string, v: unknown) => {
    if (v === undefined || v === null) return;
    if (Array.isArray(v) && v.every((x) => typeof x !== 'object')) v.forEach((x) => out.append(prefix, String(x)));
    else if (Array.isArray(v)) v.forEach((x, i) => walk(`${prefix}[${i}]`, x));
    else if (typeof v === 'object') for (const [k, x] of Object.entries(v as Record<string, unknown>)) walk(prefix ? `${prefix}[${k}]` : k, x);
    else out.append(prefix, String(v));
  };
  walk('', form);
  return out.toString();
}

export const post = (path: string, form: Record<string, unknown>) => request(harness().accrue.url).post(path).type('form').send(encodeForm(form));
export const get = (path: string, token: string) => request(harness().accrue.url).get(`${path}${path.includes('?') ? '&' : '?'}s=${encodeURIComponent(token)}`);

export async function createActivity(token: string, title = 'Sepsis update', learningFormat = 'enduring'): Promise<string> {
  const res = await post('/builder/activities', { s: token, title, learningFormat });
  expect(res.status, res.text.slice(0, 500)).to.equal(303);
  return /\/builder\/activities\/([0-9a-f-]{36})/.exec(res.headers.location!)![1]!;
}

export interface ActivitySpec {
  title?: string;
  learningFormat?: string;
  designations?: Record<string, Record<string, string>>;
  moc?: Record<string, string>[];
  passMarkPct?: string;
  minMinutes?: string;
  posttest?: { prompt: string; options: string; correct: string }[];
  requiresEvaluation?: boolean;
  /** Give the post-test questions as a pre-test before the content. */
  pretest?: boolean;
  evaluationQuestions?: string;
  content?: Record<string, string>;
  /** Overrides of the details form's dates (releaseDate, terminationDate...). */
  dates?: Record<string, string>;
  publish?: boolean;
}

/** A complete enduring activity (designated for AMA PRA 1 and ANCC by default) filled in section by section. */
export async function buildActivity(token: string, spec: ActivitySpec = {}): Promise<string> {
  const id = await createActivity(token, spec.title ?? 'Sepsis update', spec.learningFormat ?? 'enduring');
  const ok = async (section: string, form: Record<string, unknown>) => {
    const res = await post(`/builder/activities/${id}/${section}`, { s: token, ...form });
    expect(res.status, `${section}: ${res.text.slice(0, 800)}`).to.equal(303);
  };
  await ok('details', {
    title: spec.title ?? 'Sepsis update', description: 'Early recognition of sepsis.', learningFormat: spec.learningFormat ?? 'enduring',
    startDate: '2026-01-01', endDate: '', releaseDate: '2026-01-01', lastReviewDate: '2026-01-01', terminationDate: '2027-12-31',
    objectives: 'Recognise sepsis early\nStart the bundle within one hour', expectedResults: ['knowledge', 'competence'],
    ...spec.dates,
  });
  await ok('disclosures', {
    people: [
      { name: 'Dr. Ada Faculty', credentials: 'MD', role: 'faculty', relationships: 'Acme Pharma: speaker', mitigation: 'Content peer reviewed by the planning committee.' },
      { name: 'Pat Planner', credentials: 'RN', role: 'planner', noneDeclared: 'on', relationships: '', mitigation: '' },
    ],
    support: [{ supporter: 'Globex Medical', amount: '$5,000', inKind: '' }],
  });
  await ok('credit', {
    designations: spec.designations ?? { AMA_PRA_1: { maxAmount: '1.5' }, ANCC: { maxAmount: '1.5' } },
    moc: spec.moc ?? [],
  });
  await ok('requirements', {
    passMarkPct: spec.passMarkPct ?? '70', minMinutes: spec.minMinutes ?? '0', requiresEvaluation: spec.requiresEvaluation === false ? '' : 'on',
    ...(spec.pretest ? { pretest: 'on' } : {}),
    evaluationQuestions: spec.evaluationQuestions ?? 'What will you do differently?',
    posttest: spec.posttest ?? [
      { prompt: 'First step in suspected sepsis?', options: 'Wait and see\nMeasure lactate\nDischarge', correct: '2' },
      { prompt: 'Antibiotics within?', options: '1 hour\n6 hours', correct: '1' },
    ],
  });
  await ok('content', spec.content ?? { kind: 'text', url: '', html: '<h2>Recognising sepsis</h2><p>Look for <strong>qSOFA</strong> signs.</p><script>alert(1)</script>' });
  await ok('statements', {
    statements: {
      accreditation: 'In support of improving patient care, Example University is jointly accredited.',
      designation: 'Example University designates this enduring material for a maximum of 1.5 AMA PRA Category 1 Credits™.',
      moc: spec.moc?.length ? 'Completing this activity earns up to the stated ABIM MOC points.' : '',
      commercial_support: '', attestation: '',
    },
  });
  if (spec.publish !== false) {
    const res = await post(`/builder/activities/${id}/publish`, { s: token });
    expect(res.status, res.text.slice(0, 1500)).to.equal(303);
  }
  return id;
}
