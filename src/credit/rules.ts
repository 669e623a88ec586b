/**
 * The credit rules (no I/O): from one validated scenario to the credit, participation and MOC points the learner
 * receives. Rule numbers follow issue 4 "The credit engine"; the domain is cme-credit.md sections 1, 2 and 5
 * ("Credit computation (per designation)").
 */
import { CreditAmount, type Award, type CreditResult, type CreditRule, type CreditRules, type MocPoints, type Participation } from './model';
import { REASONS } from './reasons';
import { ceuThousandths, hundredthsOfHours, secondsOf, toHundredths } from './rounding';
import { uanAudience, type Designation, type MocRegistration, type Scenario } from './schema';

/**
 * Who receives each credit type and how it is rounded. The defaults below; an office passes its own table to
 * computeCredit (e.g. ANCC rounding, unconfirmed in cme-credit.md 1.2 [U] and 6.2) without a code change.
 */
export const CREDIT_RULES: CreditRules = deepFreeze({
  // cme-credit.md 1.1: for MD/DO only; others get a certificate of participation; nearest quarter hour, capped.
  AMA_PRA_1: { label: 'AMA PRA Category 1 Credit™', professions: ['physician'], rounding: 'nearest-quarter', unit: 'credit', participationForOthers: true },
  // cme-credit.md 1.5: clock hours rounded to the nearest quarter hour.
  AAPA_1: { label: 'AAPA Category 1 CME credit', professions: ['pa'], rounding: 'nearest-quarter', unit: 'credit', participationForOthers: false },
  // cme-credit.md 1.4: interprofessional credit, for every member of the team; rounded like AMA credit.
  IPCE: { label: 'IPCE credit', professions: 'all', rounding: 'nearest-quarter', unit: 'credit', participationForOthers: false },
  // cme-credit.md 1.2: 60 minutes = 1 contact hour; default truncation to two decimals, never above the time spent [U].
  ANCC: { label: 'ANCC contact hours', professions: ['nurse'], rounding: 'floor-hundredth', unit: 'contact-hour', participationForOthers: false },
  // cme-credit.md 1.3: contact hours like ANCC [U]; 0.1 CEU per contact hour; P UANs for pharmacists, T for technicians.
  ACPE: {
    label: 'ACPE credit',
    professions: ['pharmacist', 'pharmacy-technician'],
    uanAudience: { pharmacist: 'P', 'pharmacy-technician': 'T' },
    rounding: 'floor-hundredth',
    unit: 'contact-hour',
    ceuPerHour: 0.1,
    participationForOthers: false,
  },
});

/** The default table is shared by every computation, so nothing may change it in place. */
function deepFreeze<T extends object>(value: T): T {
  for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) deepFreeze(inner as object);
  return Object.freeze(value);
}

/** The credit type that MOC points follow (cme-credit.md 1.7: CME that counts for MOC is AMA PRA Category 1). */
const MOC_SOURCE = 'AMA_PRA_1';

export interface CreditOptions {
  rules?: CreditRules;
}

/** Rule 2: the attested time, never more than the recorded time when there is a recording (cme-credit.md 5). */
export function claimableSeconds(scenario: Scenario): number {
  const attested = secondsOf(scenario.attestedMinutes);
  const recorded = scenario.evidence.minutes;
  return recorded === undefined ? attested : Math.min(attested, secondsOf(recorded));
}

/** Micro-units, so that a score computed as 0.1 + 0.6 meets a pass mark of 0.7. */
const micro = (fraction: number) => Math.round(fraction * 1_000_000);

/** Rule 3 and the zero-time case: the completion requirements, one reason per requirement not met. */
export function completionReasons(scenario: Scenario): string[] {
  const { activity, evidence } = scenario;
  const reasons: string[] = [];
  const passMark = activity.passMark ?? null;
  const score = evidence.postTestScore ?? null;
  if (passMark !== null && score === null) reasons.push(REASONS.postTestMissing(passMark));
  else if (passMark !== null && score !== null && micro(score) < micro(passMark)) reasons.push(REASONS.postTestBelow({ score, passMark }));
  if (activity.evaluationRequired && evidence.evaluationCompleted !== true) reasons.push(REASONS.evaluationMissing());
  if (claimableSeconds(scenario) === 0) {
    reasons.push(secondsOf(scenario.attestedMinutes) === 0 ? REASONS.noAttestedTime() : REASONS.noRecordedTime());
  }
  return reasons;
}

function hundredths(amount: number): number {
  const h = toHundredths(amount);
  if (h === undefined) throw new RangeError(`amount ${amount} has more than two decimals (the scenario was not validated)`);
  return h;
}

type Outcome = { award: Award; amount: CreditAmount } | { participation?: Participation; reason: string };

/** Rules 4 to 7 and 9 for one designation. */
function creditFor(options: { designation: Designation; rule: CreditRule; scenario: Scenario; seconds: number }): Outcome {
  const { designation, rule, scenario, seconds } = options;
  const { profession } = scenario.learner;
  const maxHundredths = hundredths(designation.max);
  if (rule.professions !== 'all' && !rule.professions.includes(profession)) {
    const participation = rule.participationForOthers ? { type: designation.type, designated: maxHundredths / 100 } : undefined;
    return { participation, reason: REASONS.profession({ profession, label: rule.label, participation: participation !== undefined }) };
  }
  const needed = rule.uanAudience?.[profession];
  if (needed !== undefined && uanAudience(designation.uan ?? '') !== needed) {
    return { reason: REASONS.uanAudience({ profession, label: rule.label, uan: designation.uan ?? '(none)', needed }) };
  }
  const amount = CreditAmount.capped({ hundredths: hundredthsOfHours(seconds, rule.rounding), maxHundredths });
  if (amount.isZero) return { reason: REASONS.roundsToZero({ seconds, label: rule.label }) };
  const award: Award = { type: designation.type, amount: amount.value, unit: rule.unit };
  if (rule.ceuPerHour !== undefined) award.ceu = ceuThousandths(amount.hundredths, rule.ceuPerHour) / 1000;
  return { award, amount };
}

/**
 * Rule 8: MOC points follow the AMA credit a physician received. A board that accepts partial credit gets the
 * AMA amount up to its maximum; a board that does not (ABP, cme-credit.md 1.7) gets its maximum only for full credit.
 */
function mocPoints(options: { registration: MocRegistration; ama: CreditAmount }): MocPoints | undefined {
  const { registration, ama } = options;
  const maxHundredths = hundredths(registration.max);
  const points = registration.partial
    ? CreditAmount.capped({ hundredths: ama.hundredths, maxHundredths })
    : ama.isMaximum
      ? CreditAmount.of({ hundredths: maxHundredths, maxHundredths })
      : undefined;
  return points && !points.isZero ? { board: registration.board, points: points.value } : undefined;
}

/** Computes one learner's credit for one activity. The scenario must come from parseScenario. */
export function computeCredit(scenario: Scenario, options: CreditOptions = {}): CreditResult {
  const rules = options.rules ?? CREDIT_RULES;
  const notEligible = (reasons: string[], participation: Participation[] = []): CreditResult =>
    ({ eligible: false, reasons, awards: [], participation, moc: [] });

  const gates = completionReasons(scenario);
  if (gates.length > 0) return notEligible(gates);

  const seconds = claimableSeconds(scenario);
  const awards: Award[] = [];
  const participation: Participation[] = [];
  const reasons: string[] = [];
  let ama: CreditAmount | undefined;
  for (const designation of scenario.activity.designations) {
    const outcome = creditFor({ designation, rule: rules[designation.type], scenario, seconds });
    if ('award' in outcome) {
      awards.push(outcome.award);
      if (designation.type === MOC_SOURCE) ama = outcome.amount;
    } else {
      reasons.push(outcome.reason);
      if (outcome.participation) participation.push(outcome.participation);
    }
  }
  // Rule 9: a learner with no award at all is not eligible; a certificate of participation is not credit.
  if (awards.length === 0) return notEligible(reasons, participation);

  const boards = new Set(scenario.learner.boards.map((b) => b.toUpperCase()));
  const moc: MocPoints[] = [];
  if (ama && scenario.learner.profession === 'physician') {
    for (const registration of scenario.activity.moc) {
      if (!boards.has(registration.board.toUpperCase())) continue;
      const points = mocPoints({ registration, ama });
      if (points) moc.push(points);
    }
  }
  return { eligible: true, reasons: [], awards, participation, moc };
}
