/**
 * The required elements of an activity's statements, per credit type (no I/O). An activity whose statements lack
 * one cannot be published, and no certificate is issued from them. The checker looks for *elements*, never for
 * wording (cme-credit.md "Golden rule": offices own the wording; accreditors revise it).
 *
 * Sources, cme-credit.md: 1.1 (AMA designation statement: provider, "designates", learning format, "maximum of N",
 * full credit mark with ™, commensurate-claim clause; joint providers named), 1.2 (ANCC: provider address/URL,
 * contact hours, accreditation statement), 1.3 (ACPE: UAN, activity type, contact hours), 1.4 (JA statement on every
 * certificate of a jointly accredited provider; IPCE credit mark and amount), 1.5 (AAPA), 1.7 (MOC statement),
 * 1.8 (the table of what a certificate must show).
 */
import { uanPattern, type CreditType } from '../credit';

/** What the checker reads: the fields an activity stores, in the shape CertificateInput.activity carries them. */
export interface StatementElementsInput {
  formatLabel: string;
  provider: { name: string; url?: string; jointlyAccredited?: boolean; jointProviders?: string[] };
  statements: {
    accreditation?: string;
    jointAccreditation?: string;
    participation?: string;
    designations: { type: CreditType; max: number; statement: string; uan?: string; acpeActivityType?: string }[];
    moc?: { board: string; points: number; statement: string }[];
  };
}

/** `JA` = the joint-accreditation statement of the provider; `MOC` = a board's MOC statement. */
export type ElementScope = CreditType | 'JA' | 'MOC';

export interface MissingElement {
  creditType: ElementScope;
  element: string;
  message: string;
}

/** Case and spacing do not matter when looking for a name inside a statement. */
function normalise(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ').trim().toLowerCase();
}

function mentions(statement: string, phrase: string): boolean {
  return phrase.trim() !== '' && normalise(statement).includes(normalise(phrase));
}

/** Every decimal number written in the text, in hundredths ("1.50" and "1.5" are the same amount). */
function amountsIn(text: string): number[] {
  return [...text.matchAll(/(?<![\d.])(\d{1,4}(?:\.\d{1,2})?)(?![\d])/g)].map((m) => Math.round(Number(m[1]) * 100));
}

function statesAmount(text: string, amount: number): boolean {
  return amountsIn(text).includes(Math.round(amount * 100));
}

/** "1.5 AMA PRA Category 1 Credits™": the mark with its trademark sign, singular or plural (cme-credit.md 1.1). */
const AMA_MARK = /AMA PRA Category 1 Credits?™/;
const AMA_MARK_LOOSE = /AMA\s+PRA\s+Category\s+(1|One|I)\s+Credits?/i;
const LABELS: Record<CreditType, string> = {
  AMA_PRA_1: 'AMA PRA Category 1 Credit™',
  ANCC: 'ANCC contact hours',
  ACPE: 'ACPE credit',
  IPCE: 'IPCE credit',
  AAPA_1: 'AAPA Category 1 CME credit',
};

type Designation = StatementElementsInput['statements']['designations'][number];
type Report = (element: string, message: string) => void;

function checkAma(d: Designation, input: StatementElementsInput, report: Report): void {
  const s = d.statement;
  if (!mentions(s, input.provider.name)) report('accredited provider name', `The AMA designation statement must name the accredited provider ("${input.provider.name}").`);
  if (!/\bdesignates\b/i.test(s)) report('designates', 'The AMA designation statement must say that the provider "designates" the activity for credit.');
  if (!mentions(s, input.formatLabel)) {
    report('learning format', `The AMA designation statement must name the learning format ("${input.formatLabel}"), as it is named on the certificate.`);
  }
  const maximum = /maximum\s+of\s+(\d{1,4}(?:\.\d{1,2})?)/i.exec(s);
  if (!maximum || Math.round(Number(maximum[1]) * 100) !== Math.round(d.max * 100)) {
    report('maximum amount', `The AMA designation statement must say "for a maximum of ${d.max}" (the designated maximum).`);
  }
  if (!AMA_MARK.test(s)) {
    report('credit mark', AMA_MARK_LOOSE.test(s)
      ? 'The AMA designation statement must write the credit mark in full with its trademark sign: "AMA PRA Category 1 Credit(s)™".'
      : 'The AMA designation statement must name the credit with its full mark "AMA PRA Category 1 Credit(s)™".');
  }
  if (!(/commensurate/i.test(s) && /extent/i.test(s) && /participation/i.test(s))) {
    report('commensurate-claim clause', 'The AMA designation statement must tell physicians to claim only the credit commensurate with the extent of their participation.');
  }
  const participation = input.statements.participation;
  if (participation) {
    if (!AMA_MARK.test(participation)) report('participation credit mark', 'The participation statement must name the credit the activity was designated for, "AMA PRA Category 1 Credit(s)™".');
    if (!statesAmount(participation, d.max)) report('participation amount', `The participation statement must state the ${d.max} credits the activity was designated for.`);
  }
}

function checkContactHours(d: Designation, report: Report, label: string): void {
  if (!/contact\s+hours?/i.test(d.statement)) report('contact hours', `The ${label} statement must state the number of contact hours.`);
  else if (!statesAmount(d.statement, d.max)) report('contact hours', `The ${label} statement must state the ${d.max} contact hours designated.`);
}

function checkDesignation(d: Designation, input: StatementElementsInput, report: Report): void {
  if (d.statement.trim() === '') {
    report('designation statement', `The ${LABELS[d.type]} designation has no statement; type the statement the certificate prints.`);
    return;
  }
  switch (d.type) {
    case 'AMA_PRA_1':
      checkAma(d, input, report);
      break;
    case 'ANCC':
      checkContactHours(d, report, 'ANCC');
      if (!input.provider.url?.trim()) report('provider address', 'An ANCC certificate must show the provider\'s address or web address; enter it on the provider.');
      break;
    case 'ACPE':
      checkContactHours(d, report, 'ACPE');
      if (!d.uan) report('UAN', 'An ACPE designation needs its Universal Activity Number (UAN), which the certificate shows.');
      else if (!uanPattern().test(d.uan)) report('UAN', `"${d.uan}" is not an ACPE Universal Activity Number (e.g. JA0006235-9999-25-076-L01-P).`);
      if (!d.acpeActivityType) report('activity type', 'An ACPE designation needs its activity type (knowledge-, application- or practice-based), which the certificate shows.');
      break;
    case 'IPCE':
      if (!/IPCE\s+credits?/i.test(d.statement)) report('credit mark', 'The IPCE statement must name the credit, "IPCE credit(s)".');
      if (!statesAmount(d.statement, d.max)) report('credit amount', `The IPCE statement must state the ${d.max} IPCE credits designated.`);
      break;
    case 'AAPA_1':
      if (!/AAPA\s+Category\s+1\s+CME\s+credits?/i.test(d.statement)) report('credit mark', 'The AAPA statement must name the credit, "AAPA Category 1 CME credit(s)".');
      if (!statesAmount(d.statement, d.max)) report('credit amount', `The AAPA statement must state the ${d.max} credits designated.`);
      break;
  }
}

/** The accreditation statement of a credit type: the provider's own, or the JA statement of a JA provider. */
function checkAccreditation(type: CreditType, input: StatementElementsInput, report: Report): void {
  const { accreditation, jointAccreditation } = input.statements;
  const statement = accreditation?.trim() || (input.provider.jointlyAccredited ? jointAccreditation?.trim() : '') || '';
  if (!statement) {
    report('accreditation statement', `A certificate for ${LABELS[type]} must carry the provider's accreditation statement; none is entered.`);
    return;
  }
  if (!mentions(statement, input.provider.name)) report('provider name', `The accreditation statement must name the provider ("${input.provider.name}").`);
  for (const partner of input.provider.jointProviders ?? []) {
    if (!mentions(statement, partner)) report('joint provider', `The accreditation statement of a jointly provided activity must name the joint provider "${partner}".`);
  }
}

/** Types whose certificate carries an accreditation statement (cme-credit.md 1.8); IPCE rests on the JA statement. */
const NEEDS_ACCREDITATION: ReadonlySet<CreditType> = new Set(['AMA_PRA_1', 'ANCC', 'ACPE', 'AAPA_1']);

/** Every required element missing from an activity's statements; an empty list means they can be published. */
export function checkStatementElements(input: StatementElementsInput): MissingElement[] {
  const missing: MissingElement[] = [];
  const reporter = (creditType: ElementScope): Report => (element, message) => missing.push({ creditType, element, message });
  const { statements, provider } = input;

  const ipce = statements.designations.some((d) => d.type === 'IPCE');
  if ((provider.jointlyAccredited || ipce) && !statements.jointAccreditation?.trim()) {
    reporter(ipce && !provider.jointlyAccredited ? 'IPCE' : 'JA')(
      'joint accreditation statement',
      ipce && !provider.jointlyAccredited
        ? 'IPCE credit is awarded only by jointly accredited providers; the certificate must carry the Joint Accreditation statement.'
        : 'A jointly accredited provider must print its Joint Accreditation statement on every certificate; none is entered.',
    );
  }

  const checkedAccreditation = new Set<CreditType>();
  for (const d of statements.designations) {
    const report = reporter(d.type);
    if (NEEDS_ACCREDITATION.has(d.type) && !checkedAccreditation.has(d.type)) {
      checkedAccreditation.add(d.type);
      checkAccreditation(d.type, input, report);
    }
    checkDesignation(d, input, report);
  }

  for (const m of statements.moc ?? []) {
    const report = reporter('MOC');
    if (!m.statement.trim()) {
      report('MOC statement', `${m.board} MOC points need the board's MOC statement on the certificate; none is entered.`);
      continue;
    }
    if (!mentions(m.statement, m.board)) report('board', `The MOC statement must name the board (${m.board}).`);
    if (!/\bMOC\b/.test(m.statement)) report('MOC', 'The MOC statement must say that it awards MOC points.');
    if (!statesAmount(m.statement, m.points)) report('MOC points', `The ${m.board} MOC statement must state the ${m.points} MOC points.`);
  }
  return missing;
}
