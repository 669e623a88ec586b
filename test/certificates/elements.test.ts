import { expect } from 'chai';
import { checkStatementElements, type StatementElementsInput } from '../../src/certificates';
import { PROVIDER, STATEMENTS, UAN_P } from './fixtures';

type Designation = StatementElementsInput['statements']['designations'][number];

function activity(options: { designations: Designation[]; jointlyAccredited?: boolean; accreditation?: string; ja?: string; url?: string; jointProviders?: string[]; moc?: StatementElementsInput['statements']['moc']; participation?: string }): StatementElementsInput {
  return {
    formatLabel: 'live activity',
    provider: { name: PROVIDER, url: options.url ?? 'https://cme.riverside.example.edu', jointlyAccredited: options.jointlyAccredited ?? false, jointProviders: options.jointProviders ?? [] },
    statements: { accreditation: options.accreditation ?? STATEMENTS.accreditation, jointAccreditation: options.ja, designations: options.designations, moc: options.moc, participation: options.participation },
  };
}

const ama = (statement: string, max = 1.5): Designation => ({ type: 'AMA_PRA_1', max, statement });

/** [scenario, input, expected [creditType, element] pairs] */
const CASES: Array<[string, StatementElementsInput, Array<[string, string]>]> = [
  ['complete AMA statements', activity({ designations: [ama(STATEMENTS.ama(1.5))] }), []],
  ['complete JA provider with ACPE, ANCC, IPCE', activity({
    jointlyAccredited: true, accreditation: '', ja: STATEMENTS.ja,
    designations: [
      { type: 'ACPE', max: 2, statement: STATEMENTS.acpe(2), uan: UAN_P, acpeActivityType: 'knowledge' },
      { type: 'ANCC', max: 2, statement: STATEMENTS.ancc(2) },
      { type: 'IPCE', max: 2, statement: STATEMENTS.ipce(2) },
    ],
  }), []],
  ['AMA statement without the provider name', activity({ designations: [ama(STATEMENTS.ama(1.5).replace(PROVIDER, 'The School'))] }), [['AMA_PRA_1', 'accredited provider name']]],
  ['AMA statement without "designates"', activity({ designations: [ama(STATEMENTS.ama(1.5).replace('designates', 'offers'))] }), [['AMA_PRA_1', 'designates']]],
  ['AMA statement naming another format', activity({ designations: [ama(STATEMENTS.ama(1.5).replace('live activity', 'enduring material'))] }), [['AMA_PRA_1', 'learning format']]],
  ['AMA maximum that differs from the designation', activity({ designations: [ama(STATEMENTS.ama(2), 1.5)] }), [['AMA_PRA_1', 'maximum amount']]],
  ['AMA mark without ™', activity({ designations: [ama(STATEMENTS.ama(1.5).replace('™', ''))] }), [['AMA_PRA_1', 'credit mark']]],
  ['AMA "Category 1 credit" only', activity({ designations: [ama(STATEMENTS.ama(1.5).replace('AMA PRA Category 1 Credits™', 'Category 1 credits'))] }), [['AMA_PRA_1', 'credit mark']]],
  ['AMA without the commensurate clause', activity({ designations: [ama(STATEMENTS.ama(1.5).split('. ')[0] + '.')] }), [['AMA_PRA_1', 'commensurate-claim clause']]],
  ['AMA without any accreditation statement', activity({ accreditation: '', designations: [ama(STATEMENTS.ama(1.5))] }), [['AMA_PRA_1', 'accreditation statement']]],
  ['accreditation statement naming another provider', activity({ accreditation: 'Another College is accredited by the ACCME.', designations: [ama(STATEMENTS.ama(1.5))] }), [['AMA_PRA_1', 'provider name']]],
  ['joint providership without the partner named', activity({ jointProviders: ['Lakeside Heart Society'], designations: [ama(STATEMENTS.ama(1.5))] }), [['AMA_PRA_1', 'joint provider']]],
  ['empty designation statement', activity({ designations: [ama('')] }), [['AMA_PRA_1', 'designation statement']]],
  ['participation statement without the mark and amount', activity({ designations: [ama(STATEMENTS.ama(1.5))], participation: 'This learner took part in the activity.' }),
    [['AMA_PRA_1', 'participation credit mark'], ['AMA_PRA_1', 'participation amount']]],
  ['jointly accredited provider without its JA statement', activity({ jointlyAccredited: true, designations: [ama(STATEMENTS.ama(1.5))] }), [['JA', 'joint accreditation statement']]],
  ['IPCE at a provider that is not jointly accredited', activity({ designations: [{ type: 'IPCE', max: 1, statement: STATEMENTS.ipce(1) }] }), [['IPCE', 'joint accreditation statement']]],
  ['IPCE statement without the mark or amount', activity({ jointlyAccredited: true, ja: STATEMENTS.ja, designations: [{ type: 'IPCE', max: 1, statement: 'Planned by and for the team.' }] }),
    [['IPCE', 'credit mark'], ['IPCE', 'credit amount']]],
  ['ACPE without UAN and activity type', activity({ designations: [{ type: 'ACPE', max: 2, statement: STATEMENTS.acpe(2) }] }), [['ACPE', 'UAN'], ['ACPE', 'activity type']]],
  ['ACPE with a malformed UAN', activity({ designations: [{ type: 'ACPE', max: 2, statement: STATEMENTS.acpe(2), uan: 'JA123-9999-26-014-L01-P', acpeActivityType: 'application' }] }), [['ACPE', 'UAN']]],
  ['ACPE statement with another number of hours', activity({ designations: [{ type: 'ACPE', max: 2, statement: STATEMENTS.acpe(1.5), uan: UAN_P, acpeActivityType: 'knowledge' }] }), [['ACPE', 'contact hours']]],
  ['ANCC without the provider\'s address', activity({ url: '', designations: [{ type: 'ANCC', max: 1, statement: STATEMENTS.ancc(1) }] }), [['ANCC', 'provider address']]],
  ['ANCC statement without contact hours', activity({ designations: [{ type: 'ANCC', max: 1, statement: 'This activity is approved by the ANCC.' }] }), [['ANCC', 'contact hours']]],
  ['AAPA without its mark', activity({ designations: [{ type: 'AAPA_1', max: 1, statement: 'PAs may claim 1 credit.' }] }), [['AAPA_1', 'credit mark']]],
  ['MOC statement missing', activity({ designations: [ama(STATEMENTS.ama(1.5))], moc: [{ board: 'ABIM', points: 1.5, statement: '' }] }), [['MOC', 'MOC statement']]],
  ['MOC statement with another number of points and no board', activity({ designations: [ama(STATEMENTS.ama(1.5))], moc: [{ board: 'ABP', points: 1.5, statement: 'Earns up to 2 MOC points.' }] }),
    [['MOC', 'board'], ['MOC', 'MOC points']]],
];

describe('Certificates: required statement elements per credit type (cme-credit.md 1.8)', () => {
  for (const [scenario, input, expected] of CASES) {
    it(`when ${scenario}, then the checker reports ${expected.length ? expected.map((e) => e.join(' ')).join(', ') : 'nothing'}`, () => {
      const found = checkStatementElements(input);
      expect(found.map((m) => [m.creditType, m.element])).to.deep.equal(expected);
      for (const m of found) expect(m.message).to.be.a('string').and.have.length.above(20);
    });
  }

  it('when a whole activity lacks several elements, then every one is named with a sentence an office can act on', () => {
    const found = checkStatementElements(activity({ accreditation: '', designations: [ama('We give 1.5 credits.')] }));
    expect(found.map((m) => m.element)).to.deep.equal(['accreditation statement', 'accredited provider name', 'designates', 'learning format', 'maximum amount', 'credit mark', 'commensurate-claim clause']);
    expect(found.find((m) => m.element === 'maximum amount')!.message).to.equal('The AMA designation statement must say "for a maximum of 1.5" (the designated maximum).');
  });
});
