import { expect } from 'chai';
import request from 'supertest';
import { harness, ROLES } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

describe('LTI 1.3 launch (resource link and deep linking)', () => {
  it('when a learner launches, then the id_token is accepted and the learner page opens with their context', async () => {
    const { accrue, lms } = harness();
    const scenario = learner({ name: 'Ada Learner', contextTitle: 'Grand Rounds 2026', resourceLinkTitle: 'Sepsis update' });
    const { res, location, token, agent } = await launch(accrue.url, lms.platform, scenario);
    expect(res.status).to.equal(303);
    expect(location).to.match(/^\/learner\?s=/);
    const page = await agent.get(location);
    expect(page.status).to.equal(200);
    expect(page.text).to.contain('Sepsis update').and.contain('Ada Learner').and.contain('Grand Rounds 2026');
    expect(token.split('.')).to.have.length(3);
  });

  it('when an instructor launches, then they land on the course-builder page', async () => {
    const { accrue, lms } = harness();
    const { location, agent } = await launch(accrue.url, lms.platform, learner({ roles: ROLES.instructor }));
    expect(location).to.match(/^\/builder\?s=/);
    expect((await agent.get(location)).text).to.contain('Course builder');
  });

  it('when an administrator launches, then they land on the admin page', async () => {
    const { accrue, lms } = harness();
    const { location } = await launch(accrue.url, lms.platform, learner({ roles: ROLES.admin }));
    expect(location).to.match(/^\/admin\?s=/);
  });

  it('when the platform sends a deep-linking request, then the launch is accepted and routed to the activity picker', async () => {
    const { accrue, lms } = harness();
    const { location, agent } = await launch(accrue.url, lms.platform, learner({ roles: ROLES.instructor, messageType: 'LtiDeepLinkingRequest' }));
    expect(location).to.match(/^\/builder\/deep-link\?s=/);
    expect((await agent.get(location)).status).to.equal(200);
  });

  it('when a learner opens the admin page with their own session, then it is refused with 403', async () => {
    const { accrue, lms } = harness();
    const { token } = await launch(accrue.url, lms.platform, learner());
    const res = await request(accrue.url).get(`/admin?s=${token}`);
    expect(res.status).to.equal(403);
    expect(res.text).to.not.contain('Error:').and.not.match(/at \w+ \(/);
  });

  it('when a page is opened without a session token or with a forged one, then it answers 401', async () => {
    const { accrue, lms } = harness();
    expect((await request(accrue.url).get('/learner')).status).to.equal(401);
    const { token } = await launch(accrue.url, lms.platform, learner());
    const forged = token.slice(0, -4) + (token.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    expect((await request(accrue.url).get(`/learner?s=${forged}`)).status).to.equal(401);
    expect((await request(accrue.url).get('/learner').set('Authorization', `Bearer ${token}`)).status).to.equal(200);
  });
});
