import { expect } from 'chai';
import { harness, ROLES, startPlatform } from '../helpers/harness';
import { buildActivity, createActivity, get, instructorIn, post, uniq } from '../helpers/cme';
import { launch, learner } from '../helpers/launch';
import { enrollmentOf, learnerLaunch, physician, redirectOf, startPath } from '../helpers/learner-path';

const db = () => harness().accrue.accrue.db;

describe('Learner path: who may see and change what', () => {
  let activityId: string;
  before(async () => {
    const { token } = await instructorIn();
    activityId = await buildActivity(token);
  });

  it('when another learner\'s session asks for a learner\'s record, then it answers 404 and shows nothing of it', async () => {
    const a = await startPath(activityId);
    const b = await startPath(activityId, { ...physician, boards: [{ board: 'ABP', id: '555' }] });
    const aEnrollment = await enrollmentOf(activityId, a.sub);
    expect((await get(`/learner/records/${aEnrollment.id}`, a.token)).status).to.equal(200);
    const res = await get(`/learner/records/${aEnrollment.id}`, b.token);
    expect(res.status).to.equal(404);
    expect(res.text).to.not.contain(aEnrollment.id);
    expect((await get('/learner/records/not-a-uuid', b.token)).status).to.equal(404);
    const profile = await get('/learner/profile', b.token);
    expect(profile.text).to.contain('value="555"').and.not.contain('value="123456"');
  });

  it('when another learner posts steps with their own session, then only their own enrollment moves', async () => {
    const a = await startPath(activityId);
    const b = await startPath(activityId);
    redirectOf(await post('/learner/disclosures', { s: b.token, acknowledge: 'on' }));
    expect((await enrollmentOf(activityId, a.sub)).step).to.equal('disclosures');
    expect((await enrollmentOf(activityId, b.sub)).step).to.equal('content');
    expect((await post('/learner/profile', { s: b.token, profession: 'nurse', degree: 'RN' })).status).to.equal(303);
    const aProfile = (await db().query<{ profession: string }>('SELECT profession FROM learner_profile WHERE sub = $1', [a.sub])).rows[0]!;
    expect(aProfile.profession).to.equal('physician');
  });

  it('when an instructor\'s session opens the learner pages, then it is refused with 403', async () => {
    const { token } = await instructorIn();
    expect((await get('/learner/profile', token)).status).to.equal(403);
    expect((await post('/learner/claim', { s: token })).status).to.equal(403);
  });

  it('when a learner launches a link that opens no activity, or a draft, then they see a plain page, not an error', async () => {
    const { accrue, lms } = harness();
    const l = await launch(accrue.url, lms.platform, learner({ sub: uniq('learner'), resourceLinkId: uniq('link'), resourceLinkTitle: 'Unplaced link' }));
    const page = await get('/learner', l.token);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Unplaced link').and.contain('does not open an Accrue activity yet');
    const { token } = await instructorIn();
    const draft = await createActivity(token, 'Draft activity');
    const d = await learnerLaunch(draft);
    const draftPage = await get('/learner', d.token);
    expect(draftPage.status).to.equal(200);
    expect(draftPage.text).to.contain('not open for learners yet');
    expect((await get('/learner/disclosures', d.token)).status).to.equal(404);
  });

  it('when a launch from another platform names this platform\'s activity, then it does not open it', async () => {
    const { accrue } = harness();
    const other = await startPlatform(accrue);
    try {
      const l = await launch(accrue.url, other.platform, learner({ sub: uniq('learner'), resourceLinkId: uniq('link'), custom: { activity_id: activityId }, roles: ROLES.learner }));
      const page = await get('/learner', l.token);
      expect(page.status).to.equal(200);
      expect(page.text).to.contain('does not open an Accrue activity yet');
    } finally {
      await other.close();
    }
  });

  it('when a learner launches the placed link again without the custom parameter, then the recorded placement opens the activity', async () => {
    const link = uniq('link');
    const first = await learnerLaunch(activityId, { resourceLinkId: link });
    expect((await get('/learner', first.token)).status).to.equal(303);
    const { accrue, lms } = harness();
    const l = await launch(accrue.url, lms.platform, learner({ sub: uniq('learner'), resourceLinkId: link }));
    expect(redirectOf(await get('/learner', l.token)).path).to.equal('/learner/profile');
  });
});
