import { expect } from 'chai';
import { loadConfig } from '../../src/config';
import { harness } from '../helpers/harness';
import { buildActivity, get, instructorIn, post } from '../helpers/cme';
import { learnerLaunch, pharmacist, physician, redirectOf, startPath } from '../helpers/learner-path';

const db = () => harness().accrue.accrue.db;
const profileRow = async (sub: string) =>
  (await db().query<{ profession: string; protected: string | null; board_ids: unknown }>('SELECT profession, protected, board_ids FROM learner_profile WHERE sub = $1', [sub])).rows[0];

describe('Learner profile', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token, { designations: { ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-076-H01-P', activityType: 'knowledge' }, AMA_PRA_1: { maxAmount: '1' } } });
  });

  it('when a pharmacist saves the NABP e-Profile id and birth date, then they are stored encrypted and shown back only to them', async () => {
    const l = await startPath(activityId, pharmacist);
    const row = await profileRow(l.sub);
    expect(row!.profession).to.equal('pharmacist');
    expect(row!.protected).to.match(/^v1\.[A-Za-z0-9_-]+$/);
    expect(row!.protected).to.not.contain('1234567');
    const mine = await get('/learner/profile', l.token);
    expect(mine.text).to.contain('value="1234567"').and.match(/<option value="4" selected>April<\/option>/);
    const other = await learnerLaunch(activityId);
    const theirs = await get('/learner/profile', other.token);
    expect(theirs.status).to.equal(200);
    expect(theirs.text).to.not.contain('1234567');
  });

  it('when the encrypted value is copied onto another learner\'s row, then it does not decrypt for them and they are asked again', async () => {
    const a = await startPath(activityId, pharmacist);
    const b = await startPath(activityId, { ...pharmacist, nabpEprofileId: '7654321' });
    const stolen = (await profileRow(a.sub))!.protected;
    await db().query('UPDATE learner_profile SET protected = $1 WHERE sub = $2', [stolen, b.sub]);
    const res = await get('/learner/profile', b.token);
    expect(res.status).to.equal(200);
    expect(res.text).to.not.contain('1234567').and.not.contain('7654321');
    expect(res.text).to.contain('id="f-nabpEprofileId" name="nabpEprofileId" type="text" value=""');
  });

  it('when a pharmacist leaves out the NABP id or gives a bad one, then the form says so (400) and keeps the other answers', async () => {
    const l = await learnerLaunch(activityId);
    const res = await post('/learner/profile', { s: l.token, profession: 'pharmacist', degree: 'PharmD', nabpEprofileId: 'ABC', birthMonth: '2', birthDay: '30' });
    expect(res.status).to.equal(400);
    expect(res.text).to.contain('href="#f-nabpEprofileId"').and.contain('href="#f-birthDay"').and.contain('That month has fewer days');
    expect(res.text).to.match(/<option value="pharmacist" selected>/);
    expect(await profileRow(l.sub)).to.equal(undefined);
  });

  it('when a physician sends NABP fields or a nursing degree, then the NABP fields are not kept and the degree is refused', async () => {
    const l = await learnerLaunch(activityId);
    const bad = await post('/learner/profile', { s: l.token, ...physician, degree: 'RN' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('degree is MD or DO');
    const ok = await post('/learner/profile', { s: l.token, ...physician, nabpEprofileId: '1234567', birthMonth: '1', birthDay: '2' });
    expect(ok.status).to.equal(303);
    const row = await profileRow(l.sub);
    expect(row!.protected).to.equal(null);
    expect(row!.board_ids).to.deep.equal([{ board: 'ABIM', id: '123456' }]);
  });

  it('when the learner opens a second activity on the same platform, then the profile is not asked again', async () => {
    const { token } = await instructorIn();
    const second = await buildActivity(token, { title: 'Second activity' });
    const l = await startPath(activityId, physician);
    const again = await learnerLaunch(second, { sub: l.sub });
    expect(redirectOf(await get('/learner', again.token)).path).to.equal('/learner/disclosures');
  });

  it('when the NABP pattern is configured differently, then the profile form follows it', async () => {
    const config = loadConfig({ env: { NODE_ENV: 'test', NABP_EPROFILE_PATTERN: '^[0-9]{9}$' } });
    expect(new RegExp(config.nabpEprofilePattern).test('1234567')).to.equal(false);
    expect(() => loadConfig({ env: { NODE_ENV: 'test', NABP_EPROFILE_PATTERN: '([' } })).to.throw(/NABP_EPROFILE_PATTERN/);
  });
});
