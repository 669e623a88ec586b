import { expect } from 'chai';
import { CREDIT_RULES, CreditAmount, DEFAULT_SCENARIO_POLICY, evaluateScenario, uanPattern, type CreditResult, type CreditRules } from '../../src/credit';
import { ACPE, ANCC, IPCE, scenario, type ScenarioOptions } from './scenario';

function compute(options: ScenarioOptions, rules: CreditRules): CreditResult {
  const evaluation = evaluateScenario(scenario(options), { rules });
  if (!evaluation.ok) throw new Error(evaluation.errors.join('; '));
  return evaluation.result;
}

describe('credit amount value object', () => {
  const refused: Array<[string, number, number]> = [
    ['a negative amount', -1, 200],
    ['NaN', Number.NaN, 200],
    ['a fraction of a hundredth', 12.5, 200],
    ['an amount above the designated maximum', 201, 200],
    ['an infinite amount', Number.POSITIVE_INFINITY, 200],
    ['a zero maximum', 0, 0],
    ['a negative maximum', 0, -25],
  ];
  for (const [what, hundredths, maxHundredths] of refused) {
    it(`when it is built from ${what}, then it refuses with a RangeError`, () => {
      expect(() => CreditAmount.of({ hundredths, maxHundredths })).to.throw(RangeError);
    });
  }

  it('when an amount above the maximum is capped, then it equals the maximum and says so', () => {
    const amount = CreditAmount.capped({ hundredths: 350, maxHundredths: 200 });
    expect(amount.value).to.equal(2);
    expect(amount.isMaximum).to.equal(true);
  });

  it('when an amount is serialised, then it is a plain decimal number of hours', () => {
    expect(JSON.stringify({ amount: CreditAmount.of({ hundredths: 15, maxHundredths: 200 }) })).to.equal('{"amount":0.15}');
    expect(CreditAmount.of({ hundredths: 0, maxHundredths: 25 }).isZero).to.equal(true);
  });
});

describe('configurable credit rules and scenario policy', () => {
  it('when an office sets ANCC rounding to whole quarter hours, then a nurse\'s 59 minutes give 0.75 contact hours', () => {
    const rules: CreditRules = { ...CREDIT_RULES, ANCC: { ...CREDIT_RULES.ANCC, rounding: 'floor-quarter' } };
    expect(compute({ profession: 'nurse', designations: [ANCC()], attestedMinutes: 59 }, rules).awards)
      .to.deep.equal([{ type: 'ANCC', amount: 0.75, unit: 'contact-hour' }]);
    expect(compute({ profession: 'nurse', designations: [ANCC()], attestedMinutes: 59 }, CREDIT_RULES).awards)
      .to.deep.equal([{ type: 'ANCC', amount: 0.98, unit: 'contact-hour' }]);
  });

  it('when an office rounds ACPE to the nearest quarter, then 52.5 minutes give 1 contact hour and 0.1 CEU', () => {
    const rules: CreditRules = { ...CREDIT_RULES, ACPE: { ...CREDIT_RULES.ACPE, rounding: 'nearest-quarter' } };
    expect(compute({ profession: 'pharmacist', designations: [ACPE('0129-0000-25-001-H01-P')], attestedMinutes: 52.5 }, rules).awards)
      .to.deep.equal([{ type: 'ACPE', amount: 1, unit: 'contact-hour', ceu: 0.1 }]);
  });

  it('when an office limits IPCE to nurses, then a learner of another profession receives none', () => {
    const rules: CreditRules = { ...CREDIT_RULES, IPCE: { ...CREDIT_RULES.IPCE, professions: ['nurse'] } };
    expect(compute({ profession: 'other', designations: [IPCE()] }, rules).reasons).to.deep.equal(['A learner of another profession cannot receive IPCE credit.']);
  });

  it('when code tries to change the default table in place, then it cannot', () => {
    expect(() => { (CREDIT_RULES.ANCC as { rounding: string }).rounding = 'nearest-quarter'; }).to.throw(TypeError);
    expect(() => { (CREDIT_RULES.AMA_PRA_1.professions as string[]).push('nurse'); }).to.throw(TypeError);
    expect(CREDIT_RULES.ANCC.rounding).to.equal('floor-hundredth');
  });

  it('when an office does not accept the unconfirmed B format letter, then a blended UAN is invalid', () => {
    const input = scenario({ profession: 'pharmacist', designations: [ACPE('0129-0000-25-001-B01-P')] });
    expect(evaluateScenario(input).ok).to.equal(true);
    const strict = evaluateScenario(input, { policy: { ...DEFAULT_SCENARIO_POLICY, uanFormatLetters: 'LH' } });
    expect(strict.ok ? [] : strict.errors).to.deep.equal([
      'activity.designations[0].uan: "0129-0000-25-001-B01-P" is not an ACPE UAN of the form ^(JA\\d{7}|\\d{4})-(0000|9999)-\\d{2}-\\d{3}-[LH]\\d{2}-[PT]$',
    ]);
  });

  it('when the policy lists no format that needs a pass mark, then an enduring activity without one is valid', () => {
    expect(evaluateScenario(scenario({ format: 'enduring' }), { policy: { ...DEFAULT_SCENARIO_POLICY, passMarkFormats: [] } }).ok).to.equal(true);
  });

  it('when format letters are not capital letters, then the UAN pattern refuses them', () => {
    expect(() => uanPattern('L]|.*')).to.throw(RangeError);
  });
});
