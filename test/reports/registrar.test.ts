import crypto from 'node:crypto';
import fs from 'node:fs';
import { expect } from 'chai';
import request from 'supertest';
import { startServer } from '../../src/main';
import { get, instructorIn, post, uniq } from '../helpers/cme';
import { harness } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';
import { learnerLaunch, pharmacist, physician, redirectOf } from '../helpers/learner-path';
import { learnerKey } from '../../src/reports/scope';
import { claimant, claimIds, course, db, getText, parseCsv, setProtected } from './fixtures';

const MOC_SPEC = { designations: { AMA_PRA_1: { maxAmount: '1.5' }, ANCC: { maxAmount: '1.5' } }, moc: [{ board: 'ABIM', maxPoints: '1.5', partialAllowed: 'on' }] };
const key = (sub: string) => learnerKey({ platformId: harness().lms.id, sub });

describe('Reports: roster per activity', () => {
  it('when a registrar opens the roster, then learners who claimed, who only launched, and who never launched (NRPS) are listed with where they stand', async () => {
    const { contextId, instructor, activityId } = await course();
    const a = await claimant(activityId, contextId, physician, { name: 'Ada Lovelace' });
    const b = await learnerLaunch(activityId, { contextId, name: 'Bob Launcher' });
    expect(redirectOf(await get('/learner', b.token)).path).to.equal('/learner/profile');

    const res = await get(`/reports/activities/${activityId}`, instructor.token);
    expect(res.status, res.text.slice(0, 500)).to.equal(200);
    const row = (sub: string) => new RegExp(`<tr data-learner="${sub}">([\\s\\S]*?)</tr>`).exec(res.text)?.[1] ?? '';
    expect(row(a.sub)).to.contain('Ada Lovelace').and.contain('passed 100%').and.contain('claimed').and.contain('0.50 AMA PRA Category 1 Credit™');
    expect(row(b.sub)).to.contain('Bob Launcher').and.not.contain('claimed').and.not.contain('never launched');
    // The test LMS lists "Sandbox Learner" in every course: a member who never launched Accrue.
    expect(row('sandbox-learner')).to.contain('Sandbox Learner').and.contain('never launched');
    expect(row('sandbox-instructor'), 'instructors are not learners').to.equal('');
    const members = await db().query('SELECT sub, status FROM roster_member WHERE platform_id = $1 AND context_id = $2 ORDER BY sub', [harness().lms.id, contextId]);
    expect(members.rows).to.deep.equal([{ sub: 'sandbox-instructor', status: 'Active' }, { sub: 'sandbox-learner', status: 'Active' }]);

    const csv = parseCsv((await getText(`/reports/activities/${activityId}/roster.csv`, instructor.token)).text);
    expect(csv[0]).to.deep.equal(['Learner', 'Learner ID', 'In LMS course', 'Launched', 'Step', 'Minutes', 'Disclosures', 'Content', 'Post-test attempts',
      'Post-test best', 'Post-test passed', 'Evaluation', 'Claimed', 'Credits', 'Pre-test score']);
    expect(csv.every((r) => r.length === 15), 'every record has the same columns').to.equal(true);
    expect(csv.find((r) => r[1] === a.sub)?.slice(3, 5)).to.deep.equal(['yes', 'Done']);
    expect(csv.find((r) => r[1] === b.sub)?.[4], 'the step by its name on the learner path').to.equal('Disclosures');
    expect(csv.find((r) => r[1] === a.sub)?.[14], 'no pre-test in this activity').to.equal('');
    expect(csv.find((r) => r[1] === 'sandbox-learner')?.slice(3, 5)).to.deep.equal(['no', '']);
    expect(res.text, 'no pre-test column without a pre-test').not.to.contain('<th scope="col">Pre-test</th>');
  });
});

describe('Reports: transcripts', () => {
  it('when a learner asks for their transcript, then the CSV lists their claims with totals per credit type, the PDF is a PDF, and both are recorded', async () => {
    const { contextId, activityId } = await course(MOC_SPEC);
    const a = await claimant(activityId, contextId, physician, { name: 'Ada Lovelace' });
    const page = await get('/reports/me', a.token);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('AMA PRA Category 1 Credit™').and.contain('0.50 credits');

    const csv = await getText('/reports/me/transcript.csv', a.token);
    expect(csv.status).to.equal(200);
    expect(csv.headers['content-type']).to.match(/^text\/csv/);
    const rows = parseCsv(csv.text);
    expect(rows[0]).to.deep.equal(['Record', 'Learner', 'Learner ID', 'Activity', 'Activity ID', 'Format', 'Completion date', 'Credit type', 'Credit', 'Amount', 'Unit', 'Claim ID']);
    const claims = rows.filter((r) => r[0] === 'claim');
    expect(claims.map((r) => [r[2], r[7], r[9]])).to.have.deep.members([[a.sub, 'AMA_PRA_1', '0.5'], [a.sub, 'MOC_ABIM', '0.5']]);
    expect(rows.filter((r) => r[0] === 'total').map((r) => [r[7], r[9]])).to.deep.equal([['AMA_PRA_1', '0.5'], ['MOC_ABIM', '0.5']]);
    const exportId = String(csv.headers['x-accrue-export-id']);
    const rec = (await db().query('SELECT kind, status, claim_count, requested_by, file_sha256 FROM report_export WHERE id = $1', [exportId])).rows[0]!;
    expect(rec).to.include({ kind: 'transcript_learner', status: 'complete', claim_count: 2 });
    expect(rec.requested_by).to.equal(`lti:${harness().lms.platform.options.issuer}|${a.sub}`);
    expect(rec.file_sha256).to.equal(crypto.createHash('sha256').update(csv.body).digest('hex'));
    const included = (await db().query('SELECT claim_id FROM report_export_claim WHERE export_id = $1', [exportId])).rows.map((r) => r.claim_id);
    expect(included).to.have.members((await claimIds(a.enrollmentId)).map((c) => c.id));

    const pdf = await getText('/reports/me/transcript.pdf', a.token);
    expect(pdf.status).to.equal(200);
    expect(pdf.headers['content-type']).to.equal('application/pdf');
    expect(pdf.body.subarray(0, 5).toString()).to.equal('%PDF-');
    expect(pdf.body.subarray(-6).toString()).to.contain('%%EOF');
  });

  it('when a date range excludes the claims, then the transcript has none; when a date is malformed, then 400', async () => {
    const { contextId, activityId } = await course();
    const a = await claimant(activityId, contextId, { profession: 'nurse', degree: 'RN' });
    const rows = parseCsv((await getText('/reports/me/transcript.csv?from=2000-01-01&to=2000-12-31', a.token)).text);
    expect(rows.filter((r) => r[0] === 'claim')).to.have.length(0);
    expect((await get('/reports/me/transcript.csv?from=2024-02-30', a.token)).status).to.equal(400);
    expect((await get('/reports/me?to=yesterday', a.token)).status).to.equal(400);
  });

  it('when a learner name starts like a formula, then the activity transcript CSV guards the cell with an apostrophe', async () => {
    const { contextId, instructor, activityId } = await course();
    const a = await claimant(activityId, contextId, { profession: 'nurse', degree: 'RN' }, { name: '=HYPERLINK("http://evil","x")' });
    const csv = await getText(`/reports/activities/${activityId}/transcript.csv`, instructor.token);
    expect(csv.status).to.equal(200);
    expect(csv.text).to.contain(`"'=HYPERLINK(""http://evil"",""x"")",${a.sub}`);
    expect(parseCsv(csv.text).find((r) => r[2] === a.sub)?.[1]).to.equal(`'=HYPERLINK("http://evil","x")`);
  });
});

describe('Reports: who may see whose records', () => {
  let activityId: string;
  let a: Awaited<ReturnType<typeof claimant>>;
  let other: Awaited<ReturnType<typeof claimant>>;
  before(async () => {
    const c = await course();
    activityId = c.activityId;
    a = await claimant(activityId, c.contextId, physician, { name: 'Ada Lovelace' });
    other = await claimant(activityId, c.contextId, { profession: 'nurse', degree: 'RN' }, { name: 'Olga Other' });
  });

  it('when a learner tries the registrar pages or another learner\'s transcript or record, then they are refused and see only their own', async () => {
    expect((await get('/reports', other.token)).status).to.equal(403);
    expect((await get(`/reports/learners/${key(a.sub)}`, other.token)).status).to.equal(403);
    expect((await get(`/reports/learners/${key(a.sub)}/transcript.pdf`, other.token)).status).to.equal(403);
    expect((await get(`/reports/activities/${activityId}/transcript.csv`, other.token)).status).to.equal(403);
    expect((await get(`/learner/records/${a.enrollmentId}`, other.token)).status).to.equal(404);
    const mine = parseCsv((await getText('/reports/me/transcript.csv', other.token)).text).filter((r) => r[0] === 'claim');
    expect(mine.length).to.be.greaterThan(0);
    expect(mine.every((r) => r[2] === other.sub)).to.equal(true);
  });

  it('when an instructor of another course asks for this course\'s records, then every page answers 404', async () => {
    const stranger = await instructorIn(uniq('other-course'));
    for (const path of [`/reports/activities/${activityId}`, `/reports/activities/${activityId}/outcomes`, `/reports/activities/${activityId}/outcomes.csv`,
      `/reports/activities/${activityId}/transcript.csv`, `/reports/activities/${activityId}/roster.csv`, `/reports/learners/${key(a.sub)}`,
      `/reports/learners/${key(a.sub)}/transcript.csv`, `/reports/learners/${key(a.sub)}/transcript.pdf`]) {
      expect((await get(path, stranger.token)).status, path).to.equal(404);
    }
    expect((await post(`/reports/activities/${activityId}/sync`, { s: stranger.token })).status).to.equal(404);
    const home = await get('/reports', stranger.token);
    expect(home.status).to.equal(200);
    expect(home.text).not.to.contain(activityId);
    expect((await get('/reports/learners/not-a-key', stranger.token)).status).to.equal(404);
  });

  it('when a provider-wide administrator (configured) opens reports, then every course\'s activities and learners are theirs to see', async () => {
    const { accrue, lms, config } = harness();
    const adminSub = uniq('cme-office');
    const admin = await launch(accrue.url, lms.platform, learner({ sub: adminSub, roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor'], contextId: uniq('office'), resourceLinkId: uniq('link') }));
    const second = await startServer({ config: { ...config, port: 0, publicUrl: 'http://127.0.0.1:0', providerAdmins: [`${lms.platform.options.issuer}|${adminSub}`] }, db: accrue.accrue.db, host: '127.0.0.1' });
    try {
      const home = await request(second.url).get('/reports').set('authorization', `Bearer ${admin.token}`);
      expect(home.status).to.equal(200);
      expect(home.text).to.contain(activityId);
      const t = await request(second.url).get(`/reports/learners/${key(a.sub)}`).set('authorization', `Bearer ${admin.token}`);
      expect(t.status).to.equal(200);
      expect(t.text).to.contain('AMA PRA Category 1 Credit™');
      // The same person on an instance without that configuration is an instructor of their own course only.
      expect((await get(`/reports/learners/${key(a.sub)}`, admin.token)).status).to.equal(404);
    } finally {
      await second.close();
    }
  });
});

describe('Reports: ACCME PARS learner completions', () => {
  it('when the PARS file is exported, then consenting learners\' MOC and licensure claims are in it once, incomplete ones are held back with deadlines, and a correction is recorded as one', async () => {
    const { contextId, instructor, activityId } = await course(MOC_SPEC);
    const ready = await claimant(activityId, contextId, { ...physician, parsConsent: 'on' }, { name: 'Ada Lovelace' });
    await setProtected(ready.sub, { nabpEprofileId: '', birthMonth: 4, birthDay: 7 });
    const noBirth = await claimant(activityId, contextId, { ...physician, parsConsent: 'on' }, { name: 'Nora Nobirth' });
    const noConsent = await claimant(activityId, contextId, physician, { name: 'Carl Noconsent' });
    await setProtected(noConsent.sub, { nabpEprofileId: '', birthMonth: 1, birthDay: 2 });

    const res = await post('/reports/exports/pars', { s: instructor.token, mode: 'new' });
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    expect(res.headers['content-disposition']).to.match(/attachment; filename="pars-learners-\d{4}-\d{2}-\d{2}\.csv"/);
    const rows = parseCsv(res.text);
    const layout = JSON.parse(fs.readFileSync('config/exports/pars-learner.json', 'utf8')) as { columns: { name: string }[] };
    expect(rows[0]).to.deep.equal(layout.columns.map((c) => c.name));
    const col = (name: string) => rows[0]!.indexOf(name);
    const data = rows.slice(1);
    expect(data.map((r) => [r[col('First Name')], r[col('Last Name')], r[col('Credit Type')], r[col('Board ID')], r[col('Licensing State')], r[col('DOB Month')], r[col('DOB Day')], r[col('Credits')], r[col('Permission to Report')]]))
      .to.have.deep.members([
        ['Ada', 'Lovelace', 'AMA_PRA_1', '', 'OH', '04', '07', '0.50', 'Y'],
        ['Ada', 'Lovelace', 'MOC_ABIM', '123456', '', '04', '07', '0.50', 'Y'],
      ]);
    expect(data[0]![col('Completion Date')]).to.match(/^\d{2}\/\d{2}\/\d{4}$/);
    const firstId = String(res.headers['x-accrue-export-id']);
    expect((await db().query('SELECT claim_count, mode, target FROM report_export WHERE id = $1', [firstId])).rows[0]).to.deep.equal({ claim_count: 2, mode: 'new', target: 'PARS_LEARNER' });

    const again = await post('/reports/exports/pars', { s: instructor.token, mode: 'new' });
    expect(again.status).to.equal(409);
    expect(again.text).to.contain('already been sent');

    const page = await get('/reports/exports', instructor.token);
    expect(page.status).to.equal(200);
    const held = /<h3>PARS:[\s\S]*?<\/table>/.exec(page.text)![0];
    expect(held).to.contain('Nora Nobirth').and.contain('no valid birth month and day').and.contain('PARS closes');
    expect(held).not.to.contain('Carl Noconsent');

    const correction = await post('/reports/exports/pars', { s: instructor.token, mode: 'correction' });
    expect(correction.status).to.equal(200);
    expect(parseCsv(correction.text).slice(1)).to.have.length(2);
    const corrId = String(correction.headers['x-accrue-export-id']);
    const links = await db().query('SELECT correction, corrects_export_id FROM report_export_claim WHERE export_id = $1', [corrId]);
    expect(links.rows).to.deep.equal([{ correction: true, corrects_export_id: firstId }, { correction: true, corrects_export_id: firstId }]);
    expect((await db().query('SELECT mode FROM report_export WHERE id = $1', [corrId])).rows[0]!.mode).to.equal('correction');
    const detail = await get(`/reports/exports/${corrId}`, instructor.token);
    expect(detail.status).to.equal(200);
    expect(detail.text).to.contain(firstId).and.contain('correction');

    // Once the missing birth date is given, the held-back claims go in the next new file, and only they.
    await setProtected(noBirth.sub, { nabpEprofileId: '', birthMonth: 12, birthDay: 31 });
    const third = await post('/reports/exports/pars', { s: instructor.token });
    expect(parseCsv(third.text).slice(1).map((r) => [r[col('Last Name')], r[col('DOB Month')], r[col('DOB Day')]])).to.deep.equal([['Nobirth', '12', '31'], ['Nobirth', '12', '31']]);
  });
});

describe('Reports: NABP CPE Monitor', () => {
  it('when the CPE Monitor file is exported, then pharmacists with valid ids are in it and a malformed e-Profile id is listed with its 60-day deadline instead', async () => {
    const { contextId, instructor, activityId } = await course({
      designations: { ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-076-H01-P', activityType: 'knowledge' } },
    });
    const good = await claimant(activityId, contextId, pharmacist, { name: 'Pia Pharmacist', minutes: 45 });
    const bad = await claimant(activityId, contextId, { ...pharmacist, nabpEprofileId: '7654321' }, { name: 'Max Malformed' });
    await setProtected(bad.sub, { nabpEprofileId: 'NOT-AN-ID', birthMonth: 2, birthDay: 29 });

    const page = await get('/reports/exports', instructor.token);
    const held = /<h3>CPE Monitor:[\s\S]*?<\/table>/.exec(page.text)![0];
    const today = new Date().toISOString().slice(0, 10);
    const day60 = new Date(Date.parse(`${today}T00:00:00Z`) + 60 * 86_400_000).toISOString().slice(0, 10);
    expect(held).to.contain('Max Malformed').and.contain('malformed NABP e-Profile ID').and.contain(`${day60} (60 days)`);
    expect(held).not.to.contain('NOT-AN-ID');

    const res = await post('/reports/exports/cpe', { s: instructor.token });
    expect(res.status, res.text.slice(0, 300)).to.equal(200);
    const rows = parseCsv(res.text);
    expect(rows[0]).to.deep.equal(['NABP e-Profile ID', 'DOB (MMDD)', 'UAN', 'Date of Participation', 'Contact Hours', 'First Name', 'Last Name']);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[4], r[6]])).to.deep.equal([['1234567', '0417', 'JA0006235-9999-25-076-H01-P', '0.75', 'Pharmacist']]);
    const exportId = String(res.headers['x-accrue-export-id']);
    const sent = (await db().query('SELECT claim_id FROM report_export_claim WHERE export_id = $1', [exportId])).rows.map((r) => r.claim_id);
    expect(sent).to.deep.equal((await claimIds(good.enrollmentId)).filter((c) => c.credit_type === 'ACPE').map((c) => c.id));
  });

  it('when the export target or mode is unknown, then 400', async () => {
    const { instructor } = await course();
    expect((await post('/reports/exports/ceu-broker', { s: instructor.token })).status).to.equal(400);
    expect((await post('/reports/exports/cpe', { s: instructor.token, mode: 'everything' })).status).to.equal(400);
  });
});

describe('Reports: outcomes', () => {
  it('when a registrar opens the outcomes, then the funnel, post-test and evaluation are accessible SVG charts with data tables, and CSV', async () => {
    const { contextId, instructor, activityId } = await course();
    await claimant(activityId, contextId, physician, { evaluation: { objectivesMet: 'fully', intentToChange: 'yes', changeDescription: 'Lactate on arrival.', fairBalance: 'yes', freeOfCommercialBias: 'yes', biasComment: '' } });
    await claimant(activityId, contextId, { profession: 'nurse', degree: 'RN' }, { evaluation: { objectivesMet: 'partly', intentToChange: 'unsure', changeDescription: '', fairBalance: 'no', freeOfCommercialBias: 'no', biasComment: 'Felt like an Acme advert.' } });
    const launchedOnly = await learnerLaunch(activityId, { contextId });
    await get('/learner', launchedOnly.token);

    const res = await get(`/reports/activities/${activityId}/outcomes`, instructor.token);
    expect(res.status).to.equal(200);
    const svgs = res.text.match(/<svg[^>]*role="img"[^>]*>/g) ?? [];
    expect(svgs.length).to.be.at.least(5);
    expect(res.text).to.match(/<svg[^>]*aria-labelledby="funnel-title funnel-desc"/).and.contain('<title id="funnel-title">Completion funnel</title>');
    expect(res.text).to.contain('Of 3 learners who launched the activity, 2 read the disclosures');
    expect(res.text).to.contain('<th scope="row">Claimed credit</th><td>2 of 3 (67%)</td>');
    expect(res.text).to.contain('<th scope="row">Commercial bias seen</th><td>1 of 2 (50%)</td>');
    expect(res.text).to.contain('Felt like an Acme advert.').and.contain('Lactate on arrival.').and.contain('this activity has no pre-test');
    expect(res.text).to.not.contain('id="h-prepost"').and.not.contain('Took the pre-test');

    const csv = parseCsv((await getText(`/reports/activities/${activityId}/outcomes.csv`, instructor.token)).text);
    expect(csv[0]!.slice(0, 5)).to.deep.equal(['Section', 'Measure', 'Count', 'Of', 'Percent']);
    const first5 = csv.map((r) => r.slice(0, 5));
    expect(first5).to.deep.include(['Completion funnel', 'Launched', '3', '3', '100']);
    expect(first5).to.deep.include(['Were the learning objectives met?', 'Partly', '1', '2', '50']);
    expect(csv.some((r) => r[0] === 'Pre-test and post-test'), 'no pre/post rows without a pre-test').to.equal(false);
  });
});
