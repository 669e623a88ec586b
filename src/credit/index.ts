/**
 * The credit engine's face: other features import from here only.
 *
 * Glossary (words easy to confuse):
 * - Grade vs credit: a grade is the score Accrue passes back to the LMS gradebook (AGS); credit is the accredited
 *   amount (AMA PRA Category 1 Credit™, contact hours...) this engine computes. A grade is never credit.
 * - Completion vs claim: completion is the evidence that the learner met the activity's requirements (time,
 *   post-test, evaluation); a claim is the learner's attested request for credit for the time they spent. Credit
 *   is awarded for a claim, capped by its evidence.
 * - Designation: the credit type and maximum an accredited provider fixed for the activity in advance.
 * - Award: the amount of one credit type the learner receives; participation: a certificate saying a learner of
 *   another profession took part in an activity designated for a credit they cannot receive.
 * - Contact hour (ANCC, ACPE) vs CEU (ACPE only): 0.1 CEU = 1 contact hour. MOC points: what a certifying board
 *   counts, derived from the AMA credit.
 */
import { computeCredit, type CreditOptions } from './rules';
import { DEFAULT_SCENARIO_POLICY, parseScenario, type ScenarioPolicy } from './schema';
import type { CreditResult } from './model';

export * from './model';
export { CREDIT_RULES, computeCredit, claimableSeconds, completionReasons, type CreditOptions } from './rules';
export { DEFAULT_SCENARIO_POLICY, parseScenario, scenarioSchema, uanPattern, uanAudience } from './schema';
export type { Scenario, ScenarioInput, Designation, MocRegistration, ScenarioPolicy, ParsedScenario } from './schema';
export { REASONS } from './reasons';
export { ACPE_ACTIVITY_TYPES, DEFAULT_DESIGNATION_POLICY, checkDesignation } from './designation';
export type { AcpeActivityType, DesignationCheck, DesignationInput, DesignationPolicy, ValidDesignation } from './designation';

export type Evaluation = { ok: true; result: CreditResult } | { ok: false; errors: string[] };

/** Validates an untrusted scenario and computes its credit: the whole engine in one call. */
export function evaluateScenario(input: unknown, options: CreditOptions & { policy?: ScenarioPolicy } = {}): Evaluation {
  const parsed = parseScenario(input, options.policy ?? DEFAULT_SCENARIO_POLICY);
  return parsed.ok ? { ok: true, result: computeCredit(parsed.scenario, { rules: options.rules }) } : parsed;
}
