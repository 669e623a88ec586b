import { expect } from 'chai';
import { claimableSeconds, evaluateScenario, parseScenario, type CreditResult } from '../../src/credit';
import { AAPA, ACPE, AMA, ANCC, IPCE, scenario, UAN, type ScenarioOptions } from './scenario';

function compute(options: ScenarioOptions): CreditResult {
  const evaluation = evaluateScenario(scenario(options));
  if (!evaluation.ok) throw new Error(`expected a valid scenario, got: ${evaluation.errors.join('; ')}`);
  return evaluation.result;
}

function errorsOf(input: unknown): string[] {
  const evaluation = evaluateScenario(input);
  if (evaluation.ok) throw new Error(`expected an invalid scenario, got ${JSON.stringify(evaluation.result)}`);
  return evaluation.errors;
}

/** The amount awarded for one credit type, or undefined when none. */
function amountOf(result: CreditResult, type: string): number | undefined {
  return result.awards.find((a) => a.type === type)?.amount;
}

describe('credit rules', () => {
  describe('rule 1: an invalid scenario is refused with a message naming the field', () => {
    const rows: Array<[string, unknown, RegExp]> = [
      ['an unknown format', scenario({ format: 'podcast' }), /^activity\.format: must be one of live, rss, enduring/],
      ['an unknown credit type', scenario({ designations: [{ type: 'AMA_PRA_2', max: 1 }] }), /^activity\.designations\[0\]\.type: must be one of AMA_PRA_1, ANCC, ACPE, IPCE, AAPA_1$/],
      ['an unknown profession', scenario({ profession: 'dentist' }), /^learner\.profession: must be one of physician, nurse/],
      ['a negative designated maximum', scenario({ designations: [AMA(-1)] }), /^activity\.designations\[0\]\.max: must be more than 0$/],
      ['a zero designated maximum', scenario({ designations: [AMA(0)] }), /^activity\.designations\[0\]\.max: must be more than 0$/],
      ['a maximum given as a string', scenario({ designations: [{ type: 'AMA_PRA_1', max: '2' }] }), /^activity\.designations\[0\]\.max: must be a number/],
      ['a maximum that is null', scenario({ designations: [{ type: 'AMA_PRA_1', max: null }] }), /^activity\.designations\[0\]\.max: must be a number/],
      ['a maximum with three decimals', scenario({ designations: [AMA(1.333)] }), /max: must have at most two decimals$/],
      ['a negative attested time', scenario({ attestedMinutes: -5 }), /^attestedMinutes: must not be negative$/],
      ['an attested time given as a string', scenario({ attestedMinutes: '60' as unknown as number }), /^attestedMinutes: must be a number/],
      ['a negative recorded time', scenario({ minutes: -1 }), /^evidence\.minutes: must not be negative$/],
      ['an absurd attested time', scenario({ attestedMinutes: 1e300 }), /^attestedMinutes: must be at most 1000000 minutes$/],
      ['an enduring activity without a pass mark', scenario({ format: 'enduring' }), /^activity\.passMark: is required for an enduring activity/],
      ['a journal activity with a null pass mark', scenario({ format: 'journal', passMark: null }), /^activity\.passMark: is required for a journal activity/],
      ['an internet enduring activity without a pass mark', scenario({ format: 'internet-enduring' }), /^activity\.passMark: is required for an internet-enduring activity/],
      ['a pass mark given as a percentage', scenario({ passMark: 70 }), /^activity\.passMark: must be between 0 and 1 \(0\.7 for 70%\)$/],
      ['a pass mark of zero', scenario({ passMark: 0 }), /^activity\.passMark: must be more than 0/],
      ['a post-test score above 1', scenario({ postTestScore: 1.5 }), /^evidence\.postTestScore: must be between 0 and 1/],
      ['an ACPE designation without a UAN', scenario({ designations: [{ type: 'ACPE', max: 1 }] }), /^activity\.designations\[0\]\.uan: is required for an ACPE designation/],
      ['a UAN with a six-digit JA number', scenario({ designations: [ACPE('JA006235-9999-25-076-L01-P')] }), /uan: "JA006235-9999-25-076-L01-P" is not an ACPE UAN/],
      ['a UAN with a five-digit provider', scenario({ designations: [ACPE('01290-0000-25-001-H01-P')] }), /is not an ACPE UAN/],
      ['a UAN in lower case', scenario({ designations: [ACPE('ja0006235-9999-25-076-l01-p')] }), /is not an ACPE UAN/],
      ['a UAN with sponsorship 1234', scenario({ designations: [ACPE('0129-1234-25-001-H01-P')] }), /is not an ACPE UAN/],
      ['a UAN with an unknown format letter', scenario({ designations: [ACPE('0129-0000-25-001-X01-P')] }), /is not an ACPE UAN/],
      ['a UAN with a one-digit topic', scenario({ designations: [ACPE('0129-0000-25-001-H1-P')] }), /is not an ACPE UAN/],
      ['a UAN with an unknown audience', scenario({ designations: [ACPE('0129-0000-25-001-H01-X')] }), /is not an ACPE UAN/],
      ['a UAN with trailing characters', scenario({ designations: [ACPE('0129-0000-25-001-H01-PT')] }), /is not an ACPE UAN/],
      ['a UAN with leading text', scenario({ designations: [ACPE('UAN 0129-0000-25-001-H01-P')] }), /is not an ACPE UAN/],
      ['a UAN on an AMA designation', scenario({ designations: [{ ...AMA(), uan: UAN.pharmacist }] }), /^activity\.designations\[0\]\.uan: belongs only to an ACPE designation$/],
      ['a credit type designated twice', scenario({ designations: [AMA(), AMA(1)] }), /^activity\.designations\[1\]\.type: AMA_PRA_1 is designated twice/],
      ['two pharmacist UANs', scenario({ designations: [ACPE(UAN.pharmacist), ACPE(UAN.pharmacistJa)] }), /designations\[1\]\.type: ACPE is designated twice/],
      ['no designation', scenario({ designations: [] }), /^activity\.designations: must name at least one credit designation$/],
      ['an MOC registration without its partial flag', scenario({ moc: [{ board: 'ABIM', max: 2 }] }), /^activity\.moc\[0\]\.partial: is required/],
      ['an MOC board registered twice', scenario({ moc: [{ board: 'ABIM', max: 2, partial: true }, { board: 'abim', max: 1, partial: true }] }), /^activity\.moc\[1\]\.board: abim is registered twice/],
      ['an MOC maximum that is negative', scenario({ moc: [{ board: 'ABIM', max: -2, partial: true }] }), /^activity\.moc\[0\]\.max: must be more than 0$/],
      ['boards that are not a list', { ...scenario(), learner: { profession: 'physician', boards: 'ABIM' } }, /^learner\.boards: must be a list of board codes$/],
      ['an evaluation flag given as a string', scenario({ evaluationRequired: 'yes' as unknown as boolean }), /^activity\.evaluationRequired: must be true or false$/],
      ['a missing attested time', { ...scenario(), attestedMinutes: undefined }, /^attestedMinutes: is required/],
      ['a misspelt field', { ...scenario(), attestedMinute: 60 }, /^scenario: has unknown field "attestedMinute"$/],
      ['a missing learner', { activity: scenario().activity, attestedMinutes: 60 }, /^learner: is required$/],
      ['an array instead of a scenario', [], /^scenario: must be a JSON object$/],
      ['null instead of a scenario', null, /^scenario: must be a JSON object$/],
    ];
    for (const [what, input, message] of rows) {
      it(`when the scenario has ${what}, then it is invalid: ${message.source}`, () => {
        const errors = errorsOf(input);
        expect(errors.some((e) => message.test(e)), errors.join('\n')).to.equal(true);
      });
    }

    it('when a scenario has several problems, then each is reported on its own line', () => {
      const errors = errorsOf(scenario({ format: 'podcast', profession: 'dentist', attestedMinutes: -1 }));
      expect(errors).to.have.length(3);
    });

    const valid: Array<[string, ScenarioOptions]> = [
      ['a JA UAN for pharmacists', { designations: [ACPE(UAN.pharmacistJa)] }],
      ['a four-digit provider UAN for technicians', { designations: [ACPE(UAN.technician)] }],
      ['a blended-format UAN', { designations: [ACPE('0129-9999-24-999-B08-P')] }],
      ['a P and a T UAN on the same activity', { designations: [ACPE(UAN.pharmacistJa), ACPE(UAN.technicianJa)] }],
      ['an enduring activity with a pass mark', { format: 'enduring', passMark: 0.7, postTestScore: 0.9 }],
      ['a live activity without a pass mark', { format: 'live' }],
      ['an RSS session with a null pass mark', { format: 'rss', passMark: null }],
      ['a maximum of 0.25', { designations: [AMA(0.25)] }],
      ['a maximum with two decimals', { designations: [ANCC(1.33)] }],
      ['a PI activity without a pass mark', { format: 'pi' }],
      ['an attested time of 0', { attestedMinutes: 0 }],
      ['a fractional attested time', { attestedMinutes: 52.5 }],
    ];
    for (const [what, options] of valid) {
      it(`when the scenario has ${what}, then it is valid`, () => {
        const parsed = parseScenario(scenario(options));
        expect(parsed.ok, parsed.ok ? '' : parsed.errors.join('\n')).to.equal(true);
      });
    }
  });

  describe('rule 2: claimable time is the attested time, never more than the recorded time', () => {
    const rows: Array<[number, number | undefined, number]> = [
      // attested, recorded, claimable seconds
      [100, 95, 95 * 60],
      [95, 100, 95 * 60],
      [60, undefined, 3600],
      [60, 60, 3600],
      [0, 90, 0],
      [90, 0, 0],
      [52.5, undefined, 3150],
      [2.05, undefined, 123], // 2.05 × 60 is 122.99999999999999 in binary floating point
      [7.4999, undefined, 449], // 449.994 s: the remainder below a second is not credited
    ];
    for (const [attestedMinutes, minutes, seconds] of rows) {
      it(`when ${attestedMinutes} minutes are attested and ${minutes ?? 'no'} minutes recorded, then ${seconds} seconds are claimable`, () => {
        const parsed = parseScenario(scenario({ attestedMinutes, minutes }));
        if (!parsed.ok) throw new Error(parsed.errors.join('; '));
        expect(claimableSeconds(parsed.scenario)).to.equal(seconds);
      });
    }

    it('when the recorded time is lower than the attestation, then ANCC contact hours follow the recorded time', () => {
      expect(amountOf(compute({ profession: 'nurse', designations: [ANCC()], attestedMinutes: 100, minutes: 95 }), 'ANCC')).to.equal(1.58);
      expect(amountOf(compute({ profession: 'nurse', designations: [ANCC()], attestedMinutes: 95, minutes: 100 }), 'ANCC')).to.equal(1.58);
    });

    it('when nothing was recorded, then the attestation alone is credited', () => {
      expect(amountOf(compute({ attestedMinutes: 90 }), 'AMA_PRA_1')).to.equal(1.5);
    });
  });

  describe('rule 3: completion requirements (post-test pass mark, evaluation)', () => {
    const rows: Array<[string, ScenarioOptions, string[]]> = [
      ['the score equals the pass mark', { passMark: 0.7, postTestScore: 0.7 }, []],
      ['the score is 0.1 + 0.6 against a pass mark of 0.7', { passMark: 0.7, postTestScore: 0.1 + 0.6 }, []],
      ['the score is above the pass mark', { passMark: 0.75, postTestScore: 0.8 }, []],
      ['the score is a perfect 1 against a pass mark of 1', { passMark: 1, postTestScore: 1 }, []],
      ['the score is just below the pass mark', { passMark: 0.7, postTestScore: 0.69 }, ['The post-test score of 69% is below the pass mark of 70%.']],
      ['the score is 0', { passMark: 0.8, postTestScore: 0 }, ['The post-test score of 0% is below the pass mark of 80%.']],
      ['the score has a fraction of a percent', { passMark: 0.755, postTestScore: 0.75 }, ['The post-test score of 75% is below the pass mark of 75.5%.']],
      ['the score is missing', { passMark: 0.7 }, ['No post-test score is recorded; a score of at least 70% is required.']],
      ['the score is null', { passMark: 0.7, postTestScore: null }, ['No post-test score is recorded; a score of at least 70% is required.']],
      ['there is no pass mark and no score', { passMark: null }, []],
      ['there is no pass mark and a low score', { postTestScore: 0.1 }, []],
      ['the evaluation is required and completed', { evaluationRequired: true, evaluationCompleted: true }, []],
      ['the evaluation is required and not completed', { evaluationRequired: true, evaluationCompleted: false }, ['The activity evaluation has not been completed.']],
      ['the evaluation is required and there is no evidence of it', { evaluationRequired: true }, ['The activity evaluation has not been completed.']],
      ['the evaluation flag is absent and no evaluation was done', { evaluationCompleted: false }, []],
      ['the evaluation is not required', { evaluationRequired: false }, []],
      ['the score is low and the evaluation missing', { passMark: 0.7, postTestScore: 0.5, evaluationRequired: true },
        ['The post-test score of 50% is below the pass mark of 70%.', 'The activity evaluation has not been completed.']],
      ['an enduring activity is passed and evaluated', { format: 'enduring', passMark: 0.7, postTestScore: 0.7, evaluationRequired: true, evaluationCompleted: true }, []],
      ['a journal activity is failed', { format: 'journal', passMark: 0.7, postTestScore: 0.6 }, ['The post-test score of 60% is below the pass mark of 70%.']],
    ];
    for (const [what, options, reasons] of rows) {
      it(`when ${what}, then the learner is ${reasons.length ? 'not eligible, with a reason each and no award' : 'eligible'}`, () => {
        const result = compute({ attestedMinutes: 60, ...options });
        expect(result.reasons).to.deep.equal(reasons);
        expect(result.eligible).to.equal(reasons.length === 0);
        expect(result.awards).to.deep.equal(reasons.length ? [] : [{ type: 'AMA_PRA_1', amount: 1, unit: 'credit' }]);
      });
    }

    it('when a nurse fails the post-test of an AMA-designated activity, then she gets no certificate of participation either', () => {
      const result = compute({ profession: 'nurse', passMark: 0.7, postTestScore: 0.5 });
      expect(result).to.deep.equal({ eligible: false, reasons: ['The post-test score of 50% is below the pass mark of 70%.'], awards: [], participation: [], moc: [] });
    });

    it('when a physician with a board fails the evaluation requirement, then no MOC points are reported', () => {
      const result = compute({ evaluationRequired: true, boards: ['ABIM'], moc: [{ board: 'ABIM', max: 2, partial: true }] });
      expect(result.moc).to.deep.equal([]);
      expect(result.eligible).to.equal(false);
    });
  });

  describe('rule 4: AMA PRA Category 1, AAPA Category 1 and IPCE: nearest quarter hour (halves up), capped', () => {
    const rows: Array<[number, number, number | undefined]> = [
      // minutes, designated max, expected credit (undefined = no award)
      [7, 10, undefined],
      [7.4999, 10, undefined],
      [7.5, 10, 0.25], // exactly 0.125 h: halves go up
      [8, 10, 0.25],
      [15, 10, 0.25],
      [22, 10, 0.25],
      [22.5, 10, 0.5],
      [37.5, 10, 0.75],
      [52, 10, 0.75],
      [52.5, 10, 1], // exactly 0.875 h
      [53, 10, 1],
      [60, 10, 1],
      [67.4999, 10, 1],
      [67.5, 10, 1.25],
      [90, 10, 1.5],
      [95, 10, 1.5],
      [97.5, 10, 1.75],
      [119.99999, 10, 2],
      [600, 10, 10],
      [180, 2, 2], // capped at the designated maximum
      [100, 1.5, 1.5],
      [8, 0.25, 0.25],
      [600, 0.5, 0.5],
      [60, 1.1, 1], // a maximum off the quarter grid caps only when reached
      [90, 1.1, 1.1],
    ];
    const cases: Array<[string, string, (max: number) => object]> = [
      ['AMA_PRA_1', 'physician', AMA],
      ['AAPA_1', 'pa', AAPA],
      ['IPCE', 'nurse', IPCE],
      ['IPCE', 'pharmacy-technician', IPCE],
      ['IPCE', 'other', IPCE],
    ];
    for (const [type, profession, designation] of cases) {
      describe(`${type} for a learner who is ${profession}`, () => {
        for (const [minutes, max, expected] of rows) {
          it(`when ${minutes} minutes are claimed on a maximum of ${max}, then ${expected ?? 'no'} credit is awarded`, () => {
            const result = compute({ profession, designations: [designation(max)], attestedMinutes: minutes });
            expect(amountOf(result, type)).to.equal(expected);
            if (expected !== undefined) expect(result.awards[0]).to.deep.equal({ type, amount: expected, unit: 'credit' });
          });
        }
      });
    }

    const refused: Array<[string, string, object]> = [
      ['AMA PRA Category 1 Credit™', 'pa', AMA()],
      ['AMA PRA Category 1 Credit™', 'pharmacist', AMA()],
      ['AAPA Category 1 CME credit', 'physician', AAPA()],
      ['AAPA Category 1 CME credit', 'nurse', AAPA()],
    ];
    for (const [label, profession, designation] of refused) {
      it(`when a learner who is ${profession} claims ${label}, then it is not awarded`, () => {
        const result = compute({ profession, designations: [designation] });
        expect(result.awards).to.deep.equal([]);
        expect(result.reasons[0]).to.contain(`cannot receive ${label}`);
      });
    }
  });

  describe('rule 5: ANCC contact hours: hours truncated to two decimals, capped, nurses only', () => {
    const rows: Array<[number, number, number | undefined]> = [
      [0.5, 10, undefined], // 30 s is under a hundredth of an hour (36 s)
      [0.6, 10, 0.01],
      [1, 10, 0.01],
      [4.35, 10, 0.07],
      [7.5, 10, 0.12],
      [16.2, 10, 0.27], // naive floor(16.2 / 60 × 100) gives 0.26
      [30, 10, 0.5],
      [59, 10, 0.98],
      [59.99, 10, 0.99],
      [60, 10, 1],
      [69, 10, 1.15], // naive floor(69 / 60 × 100) gives 1.14
      [93.6, 10, 1.56],
      [95, 10, 1.58],
      [100, 10, 1.66],
      [119.99999, 10, 1.99],
      [120, 10, 2],
      [120, 1.5, 1.5],
      [125, 2, 2],
      [600, 0.01, 0.01],
    ];
    for (const [minutes, max, expected] of rows) {
      it(`when a nurse claims ${minutes} minutes on a maximum of ${max}, then ${expected ?? 'no'} contact hours are awarded`, () => {
        const result = compute({ profession: 'nurse', designations: [ANCC(max)], attestedMinutes: minutes });
        expect(result.awards).to.deep.equal(expected === undefined ? [] : [{ type: 'ANCC', amount: expected, unit: 'contact-hour' }]);
      });
    }

    for (const profession of ['physician', 'pharmacist', 'pharmacy-technician', 'pa', 'other']) {
      it(`when a learner who is ${profession} claims ANCC contact hours, then none are awarded and no participation is issued`, () => {
        const result = compute({ profession, designations: [ANCC()] });
        expect(result.awards).to.deep.equal([]);
        expect(result.participation).to.deep.equal([]);
      });
    }
  });

  describe('rule 6: ACPE contact hours and CEU, by UAN audience letter', () => {
    const rows: Array<[string, string, number, number, { amount: number; ceu: number } | undefined]> = [
      // profession, UAN, minutes, max, expected
      ['pharmacist', UAN.pharmacistJa, 90, 2, { amount: 1.5, ceu: 0.15 }], // 1.5 × 0.1 is 0.15000000000000002 in binary
      ['pharmacist', UAN.pharmacist, 90, 2, { amount: 1.5, ceu: 0.15 }],
      ['pharmacy-technician', UAN.technicianJa, 90, 2, { amount: 1.5, ceu: 0.15 }],
      ['pharmacy-technician', UAN.technician, 45, 2, { amount: 0.75, ceu: 0.075 }],
      ['pharmacist', UAN.pharmacist, 100, 2, { amount: 1.66, ceu: 0.166 }],
      ['pharmacist', UAN.pharmacist, 1, 2, { amount: 0.01, ceu: 0.001 }],
      ['pharmacist', UAN.pharmacist, 69, 2, { amount: 1.15, ceu: 0.115 }],
      ['pharmacist', UAN.pharmacist, 119.99999, 3, { amount: 1.99, ceu: 0.199 }],
      ['pharmacist', UAN.pharmacist, 180, 1, { amount: 1, ceu: 0.1 }],
      ['pharmacist', UAN.pharmacist, 600, 1.25, { amount: 1.25, ceu: 0.125 }],
      ['pharmacist', UAN.pharmacist, 0.5, 2, undefined],
      ['pharmacist', UAN.technician, 90, 2, undefined],
      ['pharmacist', UAN.technicianJa, 90, 2, undefined],
      ['pharmacy-technician', UAN.pharmacist, 90, 2, undefined],
      ['pharmacy-technician', UAN.pharmacistJa, 90, 2, undefined],
      ['nurse', UAN.pharmacist, 90, 2, undefined],
      ['physician', UAN.pharmacist, 90, 2, undefined],
    ];
    for (const [profession, uan, minutes, max, expected] of rows) {
      it(`when a learner who is ${profession} claims ${minutes} minutes on UAN ${uan} (max ${max}), then ${expected ? `${expected.amount} contact hours and ${expected.ceu} CEU` : 'nothing'} is awarded`, () => {
        const result = compute({ profession, designations: [ACPE(uan, max)], attestedMinutes: minutes });
        expect(result.awards).to.deep.equal(expected ? [{ type: 'ACPE', amount: expected.amount, unit: 'contact-hour', ceu: expected.ceu }] : []);
        expect(result.eligible).to.equal(expected !== undefined);
      });
    }

    it('when a pharmacist claims on a technician UAN, then the reason names the audience letters', () => {
      const result = compute({ profession: 'pharmacist', designations: [ACPE(UAN.technician)] });
      expect(result.reasons).to.deep.equal([`A pharmacist cannot receive ACPE credit on UAN ${UAN.technician}: its audience letter is T, and a pharmacist needs P.`]);
    });

    it('when an activity carries a P and a T UAN, then the pharmacist gets the P credit and the technician the T credit, once each', () => {
      const designations = [ACPE(UAN.pharmacistJa, 1.5), ACPE(UAN.technicianJa, 1)];
      const pharmacist = compute({ profession: 'pharmacist', designations, attestedMinutes: 120 });
      const technician = compute({ profession: 'pharmacy-technician', designations, attestedMinutes: 120 });
      expect(pharmacist.awards).to.deep.equal([{ type: 'ACPE', amount: 1.5, unit: 'contact-hour', ceu: 0.15 }]);
      expect(technician.awards).to.deep.equal([{ type: 'ACPE', amount: 1, unit: 'contact-hour', ceu: 0.1 }]);
      expect(pharmacist.reasons).to.deep.equal([]);
    });
  });

  describe('rule 7: a certificate of participation for professions that cannot receive AMA credit', () => {
    const rows: Array<[string, ScenarioOptions, { awards: string[]; participation: Array<{ type: string; designated: number }> }]> = [
      ['a nurse on an AMA-only activity', { profession: 'nurse', designations: [AMA(2)] }, { awards: [], participation: [{ type: 'AMA_PRA_1', designated: 2 }] }],
      ['a nurse on an AMA and ANCC activity', { profession: 'nurse', designations: [AMA(1.75), ANCC(1.5)] }, { awards: ['ANCC'], participation: [{ type: 'AMA_PRA_1', designated: 1.75 }] }],
      ['a PA on an AMA and AAPA activity', { profession: 'pa', designations: [AMA(3), AAPA(3)] }, { awards: ['AAPA_1'], participation: [{ type: 'AMA_PRA_1', designated: 3 }] }],
      ['a pharmacist on an AMA and ACPE activity', { profession: 'pharmacist', designations: [AMA(1), ACPE(UAN.pharmacist, 1)] }, { awards: ['ACPE'], participation: [{ type: 'AMA_PRA_1', designated: 1 }] }],
      ['a technician on an AMA activity', { profession: 'pharmacy-technician', designations: [AMA(0.5)] }, { awards: [], participation: [{ type: 'AMA_PRA_1', designated: 0.5 }] }],
      ['a learner of another profession on an AMA and IPCE activity', { profession: 'other', designations: [AMA(2), IPCE(2)] }, { awards: ['IPCE'], participation: [{ type: 'AMA_PRA_1', designated: 2 }] }],
      ['a physician on an AMA activity', { profession: 'physician', designations: [AMA(2)] }, { awards: ['AMA_PRA_1'], participation: [] }],
      ['a pharmacist on an ANCC-only activity', { profession: 'pharmacist', designations: [ANCC(2)] }, { awards: [], participation: [] }],
      ['a physician on an AAPA-only activity', { profession: 'physician', designations: [AAPA(2)] }, { awards: [], participation: [] }],
      ['a nurse with no time on an AMA activity', { profession: 'nurse', designations: [AMA(2)], attestedMinutes: 0 }, { awards: [], participation: [] }],
      ['a nurse who failed the post-test', { profession: 'nurse', designations: [AMA(2)], passMark: 0.7, postTestScore: 0.2 }, { awards: [], participation: [] }],
    ];
    for (const [who, options, expected] of rows) {
      it(`when ${who} completes it, then awards are [${expected.awards.join(', ')}] and participation is ${JSON.stringify(expected.participation)}`, () => {
        const result = compute({ attestedMinutes: 90, ...options });
        expect(result.awards.map((a) => a.type)).to.deep.equal(expected.awards);
        expect(result.participation).to.deep.equal(expected.participation);
      });
    }

    it('when a participation is the only outcome, then the learner is not eligible and the reason says a certificate of participation is issued', () => {
      const result = compute({ profession: 'nurse', designations: [AMA(2)] });
      expect(result).to.deep.equal({
        eligible: false,
        reasons: ['A nurse cannot receive AMA PRA Category 1 Credit™ (a certificate of participation is issued instead).'],
        awards: [],
        participation: [{ type: 'AMA_PRA_1', designated: 2 }],
        moc: [],
      });
    });
  });

  describe('rule 8: MOC points follow the AMA credit of a physician reporting to the board', () => {
    const abim = (max: number, partial: boolean) => ({ board: 'ABIM', max, partial });
    const abp = (max: number, partial: boolean) => ({ board: 'ABP', max, partial });
    const rows: Array<[string, ScenarioOptions, Array<{ board: string; points: number }>]> = [
      ['partial credit of 1.5 on max 2, board max 2', { attestedMinutes: 90, moc: [abim(2, true)], boards: ['ABIM'] }, [{ board: 'ABIM', points: 1.5 }]],
      ['partial credit of 1.5, board max 1', { attestedMinutes: 90, moc: [abim(1, true)], boards: ['ABIM'] }, [{ board: 'ABIM', points: 1 }]],
      ['full credit 2, board max 2, partial allowed', { attestedMinutes: 120, moc: [abim(2, true)], boards: ['ABIM'] }, [{ board: 'ABIM', points: 2 }]],
      ['capped full credit, board max 2, partial allowed', { attestedMinutes: 300, moc: [abim(2, true)], boards: ['ABIM'] }, [{ board: 'ABIM', points: 2 }]],
      ['partial credit, board refuses partial credit', { attestedMinutes: 90, moc: [abp(2, false)], boards: ['ABP'] }, []],
      ['full credit, board refuses partial credit', { attestedMinutes: 120, moc: [abp(2, false)], boards: ['ABP'] }, [{ board: 'ABP', points: 2 }]],
      ['full credit, all-or-nothing board max 1', { attestedMinutes: 150, moc: [abp(1, false)], boards: ['ABP'] }, [{ board: 'ABP', points: 1 }]],
      ['credit one quarter short of the max, all-or-nothing', { attestedMinutes: 105, moc: [abp(2, false)], boards: ['ABP'] }, []],
      ['board in lower case in the learner profile', { attestedMinutes: 60, moc: [abim(2, true)], boards: ['abim'] }, [{ board: 'ABIM', points: 1 }]],
      ['a board the learner does not report to', { attestedMinutes: 120, moc: [abim(2, true)], boards: ['ABS'] }, []],
      ['no boards in the learner profile', { attestedMinutes: 120, moc: [abim(2, true)] }, []],
      ['two boards, partial credit', { attestedMinutes: 90, moc: [abim(2, true), abp(2, false)], boards: ['ABIM', 'ABP'] }, [{ board: 'ABIM', points: 1.5 }]],
      ['two boards, full credit', { attestedMinutes: 120, moc: [abim(2, true), abp(2, false)], boards: ['ABP', 'ABIM'] }, [{ board: 'ABIM', points: 2 }, { board: 'ABP', points: 2 }]],
      ['a quarter credit, board max 0.5', { attestedMinutes: 10, moc: [abim(0.5, true)], boards: ['ABIM'] }, [{ board: 'ABIM', points: 0.25 }]],
      ['no credit after rounding', { attestedMinutes: 5, moc: [abim(2, true)], boards: ['ABIM'] }, []],
      ['an IPCE-only activity', { designations: [IPCE(2)], attestedMinutes: 120, moc: [abim(2, true)], boards: ['ABIM'] }, []],
      ['a nurse who lists a board', { profession: 'nurse', designations: [AMA(2), ANCC(2)], attestedMinutes: 120, moc: [abim(2, true)], boards: ['ABIM'] }, []],
    ];
    for (const [what, options, expected] of rows) {
      it(`when ${what}, then MOC is ${JSON.stringify(expected)}`, () => {
        expect(compute({ designations: [AMA(2)], ...options }).moc).to.deep.equal(expected);
      });
    }
  });

  describe('rule 9: an award that comes to zero is left out; no award at all means not eligible', () => {
    const rows: Array<[string, ScenarioOptions, { eligible: boolean; awards: string[]; reasons: string[] }]> = [
      ['a physician claims 7 minutes', { attestedMinutes: 7 }, { eligible: false, awards: [], reasons: ['7 minutes of participation comes to zero AMA PRA Category 1 Credit™ after rounding.'] }],
      ['a physician claims 7 minutes 29 seconds on AMA and IPCE', { attestedMinutes: 7 + 29 / 60, designations: [AMA(), IPCE()] },
        { eligible: false, awards: [], reasons: ['7 minutes 29 seconds of participation comes to zero AMA PRA Category 1 Credit™ after rounding.', '7 minutes 29 seconds of participation comes to zero IPCE credit after rounding.'] }],
      ['a nurse claims 30 seconds on ANCC', { profession: 'nurse', attestedMinutes: 0.5, designations: [ANCC()] }, { eligible: false, awards: [], reasons: ['0 minutes 30 seconds of participation comes to zero ANCC contact hours after rounding.'] }],
      ['a nurse claims 7 minutes on ANCC and IPCE', { profession: 'nurse', attestedMinutes: 7, designations: [ANCC(), IPCE()] }, { eligible: true, awards: ['ANCC'], reasons: [] }],
      ['a nurse claims 8 minutes on ANCC and IPCE', { profession: 'nurse', attestedMinutes: 8, designations: [ANCC(), IPCE()] }, { eligible: true, awards: ['ANCC', 'IPCE'], reasons: [] }],
      ['a physician claims 8 minutes on AMA and ANCC', { attestedMinutes: 8, designations: [AMA(), ANCC()] }, { eligible: true, awards: ['AMA_PRA_1'], reasons: [] }],
      ['a physician attests 0 minutes', { attestedMinutes: 0 }, { eligible: false, awards: [], reasons: ['The attested time is 0 minutes, so there is no participation to credit.'] }],
      ['a physician attests 60 minutes but none are recorded', { attestedMinutes: 60, minutes: 0 }, { eligible: false, awards: [], reasons: ['The recorded participation time is 0 minutes, so there is no participation to credit.'] }],
      ['a pharmacist on an AMA and ANCC activity', { profession: 'pharmacist', designations: [AMA(), ANCC()] },
        { eligible: false, awards: [], reasons: ['A pharmacist cannot receive AMA PRA Category 1 Credit™ (a certificate of participation is issued instead).', 'A pharmacist cannot receive ANCC contact hours.'] }],
      ['a learner of another profession on an AAPA activity', { profession: 'other', designations: [AAPA()] }, { eligible: false, awards: [], reasons: ['A learner of another profession cannot receive AAPA Category 1 CME credit.'] }],
    ];
    for (const [what, options, expected] of rows) {
      it(`when ${what}, then eligible is ${expected.eligible} with awards [${expected.awards.join(', ')}]`, () => {
        const result = compute(options);
        expect(result.eligible).to.equal(expected.eligible);
        expect(result.awards.map((a) => a.type)).to.deep.equal(expected.awards);
        expect(result.awards.every((a) => a.amount > 0)).to.equal(true);
        expect(result.reasons).to.deep.equal(expected.reasons);
      });
    }
  });

  describe('mixed professions on one fully designated activity (95 minutes recorded, 100 attested)', () => {
    const designations = [AMA(1.5), ANCC(1.5), ACPE(UAN.pharmacistJa, 1.5), ACPE(UAN.technicianJa, 1.5), AAPA(1.5), IPCE(1.5)];
    const ipce = { type: 'IPCE', amount: 1.5, unit: 'credit' };
    const participation = [{ type: 'AMA_PRA_1', designated: 1.5 }];
    const rows: Array<[string, object[], object[]]> = [
      ['physician', [{ type: 'AMA_PRA_1', amount: 1.5, unit: 'credit' }, ipce], []],
      ['nurse', [{ type: 'ANCC', amount: 1.5, unit: 'contact-hour' }, ipce], participation],
      ['pharmacist', [{ type: 'ACPE', amount: 1.5, unit: 'contact-hour', ceu: 0.15 }, ipce], participation],
      ['pharmacy-technician', [{ type: 'ACPE', amount: 1.5, unit: 'contact-hour', ceu: 0.15 }, ipce], participation],
      ['pa', [{ type: 'AAPA_1', amount: 1.5, unit: 'credit' }, ipce], participation],
      ['other', [ipce], participation],
    ];
    for (const [profession, awards, expectedParticipation] of rows) {
      it(`when a learner who is ${profession} completes it, then they receive exactly their profession's credit and IPCE`, () => {
        const result = compute({ profession, designations, attestedMinutes: 100, minutes: 95, boards: ['ABIM'], moc: [{ board: 'ABIM', max: 1.5, partial: true }] });
        expect(result.eligible).to.equal(true);
        expect(result.awards).to.deep.equal(awards);
        expect(result.participation).to.deep.equal(expectedParticipation);
        expect(result.moc).to.deep.equal(profession === 'physician' ? [{ board: 'ABIM', points: 1.5 }] : []);
      });
    }
  });
});
