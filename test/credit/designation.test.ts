import { expect } from 'chai';
import { checkDesignation, DEFAULT_DESIGNATION_POLICY, type DesignationCheck } from '../../src/credit';

const acpe = (fields: Record<string, unknown> = {}) => ({
  type: 'ACPE',
  max: 1.5,
  acpe: { uan: 'JA0006235-9999-25-076-L01-P', activityType: 'knowledge', topicCode: '01', audience: 'P', ...fields },
});

function errorsOf(check: DesignationCheck): string[] {
  return check.ok ? [] : check.errors;
}

describe('credit designation entered by a course builder', () => {
  const accepted: Array<[string, unknown]> = [
    ['AMA for 1.5', { type: 'AMA_PRA_1', max: 1.5 }],
    ['AMA for 0.25', { type: 'AMA_PRA_1', max: 0.25 }],
    ['AMA for 20', { type: 'AMA_PRA_1', max: 20 }],
    ['ANCC for 1.33 contact hours', { type: 'ANCC', max: 1.33 }],
    ['IPCE for 0.5', { type: 'IPCE', max: 0.5 }],
    ['AAPA for 1.1', { type: 'AAPA_1', max: 1.1 }],
    ['ACPE knowledge-based for pharmacists on a JA UAN', acpe()],
    ['ACPE application-based for technicians on a provider UAN', acpe({ uan: '0129-0000-25-001-H08-T', topicCode: '08', audience: 'T', activityType: 'application' })],
    ['ACPE practice-based on a blended UAN', { ...acpe({ uan: '0129-9999-24-002-B05-P', topicCode: '05', activityType: 'practice' }), max: 15 }],
  ];
  for (const [what, input] of accepted) {
    it(`when a builder enters ${what}, then it is accepted`, () => {
      const check = checkDesignation(input);
      expect(errorsOf(check)).to.deep.equal([]);
      expect(check.ok).to.equal(true);
    });
  }

  const refused: Array<[string, unknown, string]> = [
    ['AMA for 1.3', { type: 'AMA_PRA_1', max: 1.3 }, 'max: AMA PRA Category 1 Credit™ is designated in 0.25 increments; 1.3 is not one (use 1.25 or 1.5)'],
    ['AMA for 0.1', { type: 'AMA_PRA_1', max: 0.1 }, 'max: AMA PRA Category 1 Credit™ is designated in 0.25 increments; 0.1 is not one (use 0.25)'],
    ['AMA for 2.33', { type: 'AMA_PRA_1', max: 2.33 }, 'max: AMA PRA Category 1 Credit™ is designated in 0.25 increments; 2.33 is not one (use 2.25 or 2.5)'],
    ['a maximum of 0', { type: 'IPCE', max: 0 }, 'max: must be more than 0'],
    ['a negative maximum', { type: 'ANCC', max: -1 }, 'max: must be more than 0'],
    ['a maximum as text', { type: 'ANCC', max: '1' }, 'max: must be a number of hours'],
    ['a maximum with three decimals', { type: 'ANCC', max: 1.333 }, 'max: must have at most two decimals'],
    ['an unknown credit type', { type: 'CME', max: 1 }, 'type: must be one of AMA_PRA_1, ANCC, ACPE, IPCE, AAPA_1'],
    ['ACPE without its details', { type: 'ACPE', max: 1 }, 'acpe: is required for an ACPE designation (uan, activityType, topicCode, audience)'],
    ['ACPE details on an AMA designation', { ...acpe(), type: 'AMA_PRA_1' }, 'acpe: belongs only to an ACPE designation'],
    ['a malformed UAN', acpe({ uan: 'JA000623-9999-25-076-L01-P' }), 'acpe.uan: "JA000623-9999-25-076-L01-P" is not an ACPE UAN of the form ^(JA\\d{7}|\\d{4})-(0000|9999)-\\d{2}-\\d{3}-[LHB]\\d{2}-[PT]$ (e.g. JA0006235-9999-25-076-L01-P)'],
    ['an audience that differs from the UAN letter', acpe({ audience: 'T' }), 'acpe.audience: T does not match the UAN\'s audience letter P; a P and a T activity need one designation each'],
    ['a topic that differs from the UAN topic', acpe({ topicCode: '05' }), 'acpe.topicCode: 05 does not match the topic 01 in the UAN'],
    ['an unknown activity type', acpe({ activityType: 'skills' }), 'acpe.activityType: must be one of knowledge, application, practice'],
    ['an unknown audience', acpe({ audience: 'N' }), 'acpe.audience: must be P (pharmacists) or T (pharmacy technicians)'],
    ['a misspelt field', { type: 'ANCC', max: 1, maximum: 2 }, 'designation: has unknown field "maximum"'],
    ['nothing', undefined, 'designation: is required'],
  ];
  for (const [what, input, message] of refused) {
    it(`when a builder enters ${what}, then it is refused: ${message}`, () => {
      const check = checkDesignation(input);
      expect(check.ok).to.equal(false);
      expect(errorsOf(check)).to.include(message);
    });
  }

  it('when the topic is not in the table, then the message lists the known topic designators', () => {
    const errors = errorsOf(checkDesignation(acpe({ uan: 'JA0006235-9999-25-076-L09-P', topicCode: '09' })));
    expect(errors).to.have.length(1);
    expect(errors[0]).to.match(/^acpe\.topicCode: 09 is not a known ACPE topic designator \(01 .*, 08 pain management \/ opioids\)$/);
  });

  it('when a builder types the UAN in lower case with spaces, then it is stored trimmed and upper-cased', () => {
    const check = checkDesignation(acpe({ uan: '  ja0006235-9999-25-076-l01-p ' }));
    expect(check.ok && check.designation.acpe?.uan).to.equal('JA0006235-9999-25-076-L01-P');
  });

  const minimums: Array<[string, number, string | undefined]> = [
    ['knowledge', 0.25, undefined],
    ['knowledge', 0.2, 'A knowledge-based ACPE activity is commonly at least 0.25 hours long; this one is designated for 0.2. Check the current ACPE guidance.'],
    ['application', 1, undefined],
    ['application', 0.75, 'An application-based ACPE activity is commonly at least 1 hour long; this one is designated for 0.75. Check the current ACPE guidance.'],
    ['practice', 15, undefined],
    ['practice', 10, 'A practice-based ACPE activity is commonly at least 15 hours long; this one is designated for 10. Check the current ACPE guidance.'],
  ];
  for (const [activityType, max, warning] of minimums) {
    it(`when a ${activityType}-based activity is designated for ${max} hours, then it is accepted ${warning ? 'with a warning on the unconfirmed minimum' : 'without a warning'}`, () => {
      const check = checkDesignation({ ...acpe({ activityType }), max });
      expect(check.ok).to.equal(true);
      expect(check.warnings).to.deep.equal(warning ? [warning] : []);
    });
  }

  it('when an office adds topic 09 and designates AAPA in quarter hours, then its table applies', () => {
    const policy = { ...DEFAULT_DESIGNATION_POLICY, acpeTopics: { ...DEFAULT_DESIGNATION_POLICY.acpeTopics, '09': 'office topic' }, increments: { AMA_PRA_1: 0.25, AAPA_1: 0.25 } };
    expect(checkDesignation(acpe({ uan: 'JA0006235-9999-25-076-L09-P', topicCode: '09' }), policy).ok).to.equal(true);
    expect(errorsOf(checkDesignation({ type: 'AAPA_1', max: 1.1 }, policy))).to.deep.equal([
      'max: AAPA Category 1 CME credit is designated in 0.25 increments; 1.1 is not one (use 1 or 1.25)',
    ]);
  });
});
