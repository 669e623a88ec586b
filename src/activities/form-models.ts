/**
 * What each builder form shows: built from the saved activity, or from the rejected submission (so a form
 * re-rendered with errors keeps what the user typed). Pure; the shapes mirror the form field names.
 */
import { bodyOf, rows } from '../web/form-parsing';
import { DESIGNATION_ROWS } from './credit-forms';
import {
  ACPE_ACTIVITY_TYPES, CONTENT_KINDS, CREDIT_LABELS, EXPECTED_RESULTS, FORMAT_LABELS, LEARNING_FORMATS, PERSON_ROLES, STATEMENT_KINDS,
  statementOf, type Activity,
} from './model';
import { designationKey, pretestQuestionsFrozen } from './rules';

const str = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
const on = (v: unknown) => v === 'on' || v === true || v === 'true' || v === '1';
const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(str) : typeof v === 'string' ? [v] : []);

export const EXPECTED_RESULT_LABELS: Record<(typeof EXPECTED_RESULTS)[number], string> = {
  knowledge: 'Knowledge', competence: 'Competence', performance: 'Performance', patient_outcomes: 'Patient outcomes',
};

export const STATEMENT_LABELS: Record<(typeof STATEMENT_KINDS)[number], { label: string; hint: string }> = {
  accreditation: { label: 'Accreditation statement', hint: 'As your accreditor requires it, including joint providership if any. Shown to learners before they start.' },
  joint_accreditation: { label: 'Joint Accreditation statement', hint: 'For a jointly accredited provider: printed standing apart on every certificate, and required for IPCE credit.' },
  designation: { label: 'Credit designation statements', hint: 'One per credit type: provider, format, maximum credit and the commensurate-participation sentence.' },
  participation: { label: 'Participation statement', hint: 'Optional: what certificates say to learners whose profession cannot receive the designated credit (e.g. "This activity was designated for 1.5 AMA PRA Category 1 Credits™"). Empty = the certificate\'s own wording.' },
  moc: { label: 'MOC statement', hint: 'Required when the activity is registered for board MOC points.' },
  commercial_support: { label: 'Commercial support acknowledgement', hint: 'Optional wording shown with the list of supporters.' },
  attestation: { label: 'Attestation wording', hint: 'What learners affirm when they attest their time. Leave empty to use Accrue\'s default wording.' },
};

export const options = {
  formats: LEARNING_FORMATS.map((value) => ({ value, label: FORMAT_LABELS[value] })),
  roles: PERSON_ROLES.map((value) => ({ value, label: value[0]!.toUpperCase() + value.slice(1) })),
  acpeTypes: ACPE_ACTIVITY_TYPES.map((value) => ({ value, label: `${value[0]!.toUpperCase()}${value.slice(1)}-based` })),
  contentKinds: CONTENT_KINDS.map((value) => ({
    value,
    label: { none: 'No content yet', url: 'An external activity (opens in a new window, with xAPI launch parameters)', embed: 'An embedded video or page', text: 'Text typed here' }[value],
  })),
};

const withSelection = <T extends { value: string }>(opts: T[], selected: string | string[]) =>
  opts.map((o) => ({ ...o, selected: Array.isArray(selected) ? selected.includes(o.value) : o.value === selected }));

export function detailsForm(source: { activity: Activity } | { body: unknown }) {
  const v = 'activity' in source
    ? { ...source.activity, objectives: source.activity.objectives.join('\n'), expectedResults: source.activity.expectedResults as string[] }
    : (() => {
      const b = bodyOf(source.body);
      return {
        title: str(b.title), description: str(b.description), learningFormat: str(b.learningFormat), startDate: str(b.startDate), endDate: str(b.endDate),
        releaseDate: str(b.releaseDate), lastReviewDate: str(b.lastReviewDate), terminationDate: str(b.terminationDate),
        objectives: str(b.objectives), expectedResults: list(b.expectedResults),
      };
    })();
  return {
    ...v,
    formats: withSelection(options.formats, v.learningFormat),
    expectedResultOptions: withSelection(EXPECTED_RESULTS.map((value) => ({ value, label: EXPECTED_RESULT_LABELS[value] })), v.expectedResults),
  };
}

export function disclosuresForm(source: { activity: Activity } | { body: unknown }) {
  const people = 'activity' in source
    ? source.activity.people.map((p) => ({ ...p, relationships: p.relationships.map((r) => `${r.company}: ${r.nature}`).join('\n') }))
    : rows(bodyOf(source.body).people).map((r) => ({ name: str(r.name), credentials: str(r.credentials), role: str(r.role), noneDeclared: on(r.noneDeclared), relationships: str(r.relationships), mitigation: str(r.mitigation) }));
  const support = 'activity' in source
    ? source.activity.commercialSupport
    : rows(bodyOf(source.body).support).map((r) => ({ supporter: str(r.supporter), amount: str(r.amount), inKind: on(r.inKind) }));
  const blankPerson = { name: '', credentials: '', role: 'faculty', noneDeclared: false, relationships: '', mitigation: '' };
  return {
    people: [...people, blankPerson, blankPerson].map((p, i) => ({ ...p, index: i, number: i + 1, roles: withSelection(options.roles, p.role) })),
    support: [...support, { supporter: '', amount: '', inKind: false }].map((s, i) => ({ ...s, index: i, number: i + 1 })),
  };
}

export function creditForm(source: { activity: Activity } | { body: unknown }) {
  const given: Record<string, { maxAmount: string; uan: string; activityType: string }> = {};
  let moc: { board: string; maxPoints: string; partialAllowed: boolean }[];
  if ('activity' in source) {
    for (const d of source.activity.designations) given[designationKey(d)] = { maxAmount: String(d.maxAmount), uan: d.acpe?.uan ?? '', activityType: d.acpe?.activityType ?? '' };
    moc = source.activity.moc.map((m) => ({ board: m.board, maxPoints: String(m.maxPoints), partialAllowed: m.partialAllowed }));
  } else {
    const b = bodyOf(source.body);
    const d = bodyOf(b.designations);
    for (const row of DESIGNATION_ROWS) {
      const r = bodyOf(d[row.key]);
      given[row.key] = { maxAmount: str(r.maxAmount), uan: str(r.uan), activityType: str(r.activityType) };
    }
    moc = rows(b.moc).map((r) => ({ board: str(r.board), maxPoints: str(r.maxPoints), partialAllowed: on(r.partialAllowed) }));
  }
  return {
    designations: DESIGNATION_ROWS.map((row) => ({
      key: row.key,
      label: row.creditType === 'ACPE' ? `${CREDIT_LABELS.ACPE} for ${row.audience === 'P' ? 'pharmacists (P)' : 'pharmacy technicians (T)'}` : CREDIT_LABELS[row.creditType],
      acpe: row.creditType === 'ACPE',
      maxAmount: given[row.key]?.maxAmount ?? '',
      uan: given[row.key]?.uan ?? '',
      acpeTypes: withSelection(options.acpeTypes, given[row.key]?.activityType ?? ''),
    })),
    moc: [...moc, { board: '', maxPoints: '', partialAllowed: false }].map((m, i) => ({ ...m, index: i, number: i + 1 })),
  };
}

export function requirementsForm(source: { activity: Activity } | { body: unknown }) {
  if ('activity' in source) {
    const a = source.activity;
    const qs = a.posttest.map((q) => ({ id: q.id, prompt: q.prompt, options: q.options.join('\n'), correct: String(q.correct + 1) }));
    return shapeRequirements({
      passMarkPct: a.passMarkPct === null ? '' : String(a.passMarkPct), minMinutes: String(a.minMinutes), requiresEvaluation: a.requiresEvaluation,
      pretest: a.pretest, posttest: qs, evaluationQuestions: a.evaluationQuestions.map((q) => q.prompt).join('\n'),
    });
  }
  const b = bodyOf(source.body);
  return shapeRequirements({
    passMarkPct: str(b.passMarkPct), minMinutes: str(b.minMinutes), requiresEvaluation: on(b.requiresEvaluation), pretest: on(b.pretest),
    posttest: rows(b.posttest).map((r) => ({ id: str(r.id), prompt: str(r.prompt), options: str(r.options), correct: str(r.correct) })),
    evaluationQuestions: str(b.evaluationQuestions),
  });
}

function shapeRequirements(v: { passMarkPct: string; minMinutes: string; requiresEvaluation: boolean; pretest: boolean; posttest: { id: string; prompt: string; options: string; correct: string }[]; evaluationQuestions: string }) {
  return { ...v, posttest: [...v.posttest, { id: '', prompt: '', options: '', correct: '' }].map((q, i) => ({ ...q, index: i, number: i + 1 })) };
}

/**
 * The saved post-test questions as a read-only summary when the pre-test froze them (null otherwise), with the
 * values the form's hidden fields send back unchanged so the rest of the page can still be saved. Built from the
 * saved activity even when the page re-renders a rejected submission: these never came from the form.
 */
export function frozenQuestionsOf(a: Activity) {
  if (!pretestQuestionsFrozen(a) || a.posttest.length === 0) return null;
  return a.posttest.map((q, i) => ({
    index: i, number: i + 1, id: q.id, prompt: q.prompt, optionsText: q.options.join('\n'), correct: String(q.correct + 1),
    options: q.options.map((text, j) => ({ text, correct: j === q.correct })),
  }));
}

export function contentForm(source: { activity: Activity } | { body: unknown }) {
  const c = 'activity' in source ? source.activity.content : bodyOf(source.body);
  const kind = str((c as { kind?: unknown }).kind) || 'none';
  return {
    kind,
    url: str((c as { url?: unknown }).url),
    html: str((c as { html?: unknown }).html),
    kinds: withSelection(options.contentKinds, kind),
  };
}

export function statementsForm(source: { activity: Activity } | { body: unknown }) {
  const given = 'activity' in source ? null : bodyOf(bodyOf(source.body).statements);
  return STATEMENT_KINDS.map((kind) => {
    const saved = 'activity' in source ? statementOf(source.activity, kind) : undefined;
    return { kind, ...STATEMENT_LABELS[kind], text: given ? str(given[kind]) : saved?.text ?? '', version: saved?.version ?? null };
  });
}
