import { expect } from 'chai';
import { csvCell, csvRecord } from '../../src/reports/csv';
import { deadlinesFor } from '../../src/reports/deadlines';
import { cellsOf, parseLayout } from '../../src/reports/layout';
import { bar, progressReporter } from '../../src/reports/progress-bar';
import { cpeRow, parsRow, splitName, type ClaimFacts } from '../../src/reports/rules';
import { isProviderAdmin, learnerKey, parseLearnerKey } from '../../src/reports/scope';
import { prePostOf } from '../../src/reports/outcomes';
import { barChart } from '../../src/reports/svg';
import { nextLink } from '../../src/lti/nrps';

describe('Reports rules: CSV (RFC 4180) with formula guard', () => {
  it('when a cell holds a comma, quote or line break, then it is quoted with quotes doubled; records end in CRLF', () => {
    expect(csvRecord(['a,b', 'say "hi"', 'two\nlines', 'plain'])).to.equal('"a,b","say ""hi""","two\nlines",plain\r\n');
  });
  it('when a text cell starts with = + - @ (or a tab), then it is prefixed with an apostrophe; numbers stay numbers', () => {
    expect(['=1+1', '+SUM(A1)', '-2', '@cmd', '\t=x'].map((c) => csvCell(c))).to.deep.equal(["'=1+1", "'+SUM(A1)", "'-2", "'@cmd", "'\t=x"]);
    expect(csvCell(-1.5)).to.equal('-1.5');
    expect(csvCell(null)).to.equal('');
  });
  it('when the delimiter is a tab, then cells holding a tab are quoted', () => {
    expect(csvRecord(['a\tb', 'c'], '\t')).to.equal('"a\tb"\tc\r\n');
  });
});

describe('Reports rules: layouts', () => {
  const layout = { kind: 'cpe_monitor', title: 't', confirmed: false, columns: [{ name: 'ID', source: 'nabpEprofileId' }, { name: 'DOB', source: 'birthMonthDay' }, { name: 'Date', source: 'completionDate', format: 'date:MM/DD/YYYY' }, { name: 'Hours', source: 'contactHours', format: 'decimal2' }, { name: 'V', value: '2' }] };
  it('when a template is valid, then records become cells in its order and formats', () => {
    const parsed = parseLayout(layout, 'cpe_monitor', 'cpe.json');
    if (!parsed.ok) throw new Error(parsed.message);
    expect(cellsOf(parsed.layout, { nabpEprofileId: '1234567', birthMonth: 4, birthDay: 7, completionDate: '2026-03-09', contactHours: 1 })).to.deep.equal(['1234567', '0407', '03/09/2026', '1.00', '2']);
  });
  it('when a template names an unknown field, the wrong kind, or both source and value, then it is refused naming each problem', () => {
    const bad = parseLayout({ ...layout, columns: [{ name: 'X', source: 'ssn' }, { name: 'Y', source: 'uan', value: 'z' }] }, 'pars_learner', 'pars.json');
    expect(bad.ok).to.equal(false);
    if (!bad.ok) expect(bad.message).to.contain('pars.json').and.contain('kind is cpe_monitor').and.contain('unknown source "ssn"').and.contain('either source or value');
  });
});

describe('Reports rules: deadlines', () => {
  it('when a PARS claim was completed, then 30 days, 31 December and 31 March of the next year are its deadlines', () => {
    const f = deadlinesFor('PARS_LEARNER', '2026-12-10', '2026-12-20');
    expect(f.deadlines.map((d) => d.date)).to.deep.equal(['2027-01-09', '2026-12-31', '2027-03-31']);
    expect(f.urgency).to.equal('soon');
    expect(deadlinesFor('PARS_LEARNER', '2026-01-10', '2026-03-01').urgency).to.equal('overdue');
    expect(deadlinesFor('PARS_LEARNER', '2025-06-01', '2026-04-01').urgency).to.equal('closed');
  });
  it('when a CPE Monitor claim was completed, then it closes 60 days later', () => {
    const f = deadlinesFor('CPE_MONITOR', '2026-01-31', '2026-02-01');
    expect(f).to.include({ closes: '2026-04-01', daysLeft: 59, urgency: 'ok' });
    expect(deadlinesFor('CPE_MONITOR', '2026-01-31', '2026-03-25').urgency).to.equal('soon');
    expect(deadlinesFor('CPE_MONITOR', '2026-01-31', '2026-04-02').urgency).to.equal('closed');
  });
});

describe('Reports rules: rows and names', () => {
  const claim: ClaimFacts = { claimId: 'c', platformId: 'p', sub: 's', creditType: 'MOC_ABS', amount: 1, unit: 'moc-point', completionDate: '2026-01-02', activityId: 'a', activityTitle: 't', activityFormat: 'course', person: { name: 'Mary Ann Smith', givenName: null, familyName: null }, consent: true };
  it('when the LMS gave only a full name, then the last word is the last name', () => {
    expect(splitName(claim.person)).to.deep.equal({ firstName: 'Mary Ann', lastName: 'Smith' });
    expect(splitName({ name: 'x', givenName: 'Jo', familyName: 'Ng' })).to.deep.equal({ firstName: 'Jo', lastName: 'Ng' });
  });
  it('when an ABS MOC claim has no board id, then it can still be sent (optional for ABS); ABIM cannot', () => {
    const ids = { nabpEprofileId: '', birthMonth: 2, birthDay: 29 };
    expect(parsRow(claim, { boardIds: [], stateLicenses: [] }, ids).problems).to.deep.equal([]);
    expect(parsRow({ ...claim, creditType: 'MOC_ABIM' }, { boardIds: [], stateLicenses: [] }, ids).problems).to.deep.equal(['no ABIM board id']);
    expect(parsRow(claim, { boardIds: [], stateLicenses: [] }, { ...ids, birthDay: 30 }).problems).to.deep.equal(['no valid birth month and day']);
  });
  it('when a CPE row lacks an id, has a malformed one or a malformed UAN, then each problem is named', () => {
    const acpe = { uan: 'JA0006235-9999-25-076-H01-P', activityType: 'knowledge', audience: 'P' };
    const c = { ...claim, creditType: 'ACPE' };
    expect(cpeRow(c, acpe, null, /^\d{6,7}$/).problems).to.deep.equal(['no NABP e-Profile ID', 'no valid birth month and day']);
    expect(cpeRow(c, { ...acpe, uan: 'nope' }, { nabpEprofileId: '12', birthMonth: 1, birthDay: 1 }, /^\d{6,7}$/).problems).to.deep.equal(['malformed NABP e-Profile ID', 'the activity\'s UAN is malformed']);
  });
});

describe('Reports rules: scopes, charts, progress, NRPS paging', () => {
  it('when a launch matches a configured issuer|sub or carries a configured role, then it is a provider admin', () => {
    const launch = { platform: { id: 'k', issuer: 'https://lms', clientId: 'c', name: 'n' }, user: { sub: 'u1' }, roles: ['urn:cme-office'] };
    expect(isProviderAdmin(launch, ['https://lms|u1'])).to.equal(true);
    expect(isProviderAdmin(launch, ['urn:cme-office'])).to.equal(true);
    expect(isProviderAdmin(launch, ['https://lms|u2', 'https://other|u1'])).to.equal(false);
  });
  it('when a learner key is made, then it reads back; a tampered one is refused', () => {
    expect(parseLearnerKey(learnerKey({ platformId: 'p1', sub: 'a b' }))).to.deep.equal({ platformId: 'p1', sub: 'a b' });
    expect(parseLearnerKey('!!')).to.equal(null);
    expect(parseLearnerKey(Buffer.from('only-one').toString('base64url'))).to.equal(null);
  });
  it('when a chart is drawn, then it has role img, title and desc, and escapes labels', () => {
    const svg = barChart({ id: 'c1', title: 'T <1>', desc: 'D', bars: [{ label: '<b>', value: 2 }, { label: 'y', value: 1 }] });
    expect(svg).to.match(/^<svg[^>]*role="img" aria-labelledby="c1-title c1-desc"/);
    expect(svg).to.contain('<title id="c1-title">T &#60;1&#62;</title>').and.contain('&#60;b&#62;').and.not.contain('<b>');
  });
  it('when progress is reported off a terminal, then one plain line per tenth; on a terminal, a bar', () => {
    const lines: string[] = [];
    const r = progressReporter({ tty: false, write: () => undefined, line: (l) => lines.push(l) });
    for (let i = 0; i <= 100; i++) r.update({ done: i, total: 100 });
    expect(lines).to.have.length(11);
    expect(lines[10]).to.equal('progress 100/100 rows (100%)');
    expect(bar({ done: 1, total: 2 }, 10)).to.equal('[#####-----]  50% 1/2 rows');
  });
  it('when NRPS sends a Link header, then the next page is found among other relations', () => {
    expect(nextLink('<https://lms/m?p=1>; rel="first", <https://lms/m?p=3>; rel="next"')).to.equal('https://lms/m?p=3');
    expect(nextLink(null)).to.equal(null);
  });
});

describe('Reports rules: the pre/post change (pure)', () => {
  const facts = (meanPre: number, meanPost: number, questions: { preCorrect: number; postCorrect: number }[], paired = 4) => ({
    pretest: { took: paired + 1, paired, meanPre, meanPost, questions: questions.map((q, i) => ({ id: `q${i}`, prompt: `Question <${i}>`, ...q })) },
  });

  it('when scores fall or stay, then the change says minus or no change, rounded once from the unrounded shares', () => {
    const pp = prePostOf(facts(0.5, 0.25, [{ preCorrect: 3, postCorrect: 1 }, { preCorrect: 2, postCorrect: 2 }]))!;
    expect(pp.rows.map((r) => [r.preDisplay, r.postDisplay, r.changeDisplay, r.changePoints])).to.deep.equal([
      ['50%', '25%', '−25 points', -25], ['3 of 4 (75%)', '1 of 4 (25%)', '−50 points', -50], ['2 of 4 (50%)', '2 of 4 (50%)', 'no change', 0]]);
    // A change of 44.46 points: the CSV's one decimal is 44.5, and the page says 44 (45 only if it rounded twice).
    const near = prePostOf(facts(0.1, 0.5446, []))!.rows[0]!;
    expect([near.changeDisplay, near.changePoints]).to.deep.equal(['+44 points', 44.5]);
  });

  it('when the chart is drawn, then each bar names its side, prompts are escaped, and no pre-test means no comparison', () => {
    const pp = prePostOf(facts(0.25, 0.75, [{ preCorrect: 1, postCorrect: 3 }]))!;
    expect(pp.svg).to.contain('>Before: 25%</text>').and.contain('>After: 75% (+50 points)</text>').and.contain('Question &#60;0&#62;');
    expect(prePostOf({ pretest: null })).to.equal(null);
  });
});
