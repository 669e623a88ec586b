/**
 * Launch refusals about the claims of a correctly signed id_token: audience, authorized party, issuer, deployment
 * (OIDC Core 3.1.3.7, IMS Security Framework 5.1.3) and the LTI message claims (LTI 1.3 Core 5.3-5.4).
 * Tokens are signed with the platform's real key, so only the claim under test is wrong.
 */
import { expect } from 'chai';
import request from 'supertest';
import { harness, startPlatform, type TestPlatform } from '../helpers/harness';
import { learner } from '../helpers/launch';
import { expectRefusal, forgedLaunch, LTI, sessionCount } from '../helpers/refusal';

describe('LTI launch refusals: the claims', () => {
  it('when aud does not contain our client id, then it is refused as WRONG_AUDIENCE', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c.aud = 'some-other-tool'; } });
    await expectRefusal(res, { status: 400, code: 'WRONG_AUDIENCE', sub: scenario.sub });
  });

  it('when aud lists several audiences and there is no azp, then it is refused as MISSING_AZP', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c.aud = [c.aud, 'some-other-tool']; } });
    await expectRefusal(res, { status: 400, code: 'MISSING_AZP', sub: scenario.sub });
  });

  it('when azp names another client, then it is refused as WRONG_AZP (with one audience and with several)', async () => {
    const one = await forgedLaunch({ edit: (c) => { c.azp = 'some-other-tool'; } });
    await expectRefusal(one.res, { status: 400, code: 'WRONG_AZP', sub: one.scenario.sub });
    const several = await forgedLaunch({ edit: (c) => { c.aud = [c.aud, 'some-other-tool']; c.azp = 'some-other-tool'; } });
    await expectRefusal(several.res, { status: 400, code: 'WRONG_AZP', sub: several.scenario.sub });
  });

  it('when iss is not the issuer of the platform that started the login, then it is refused as WRONG_ISSUER', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c.iss = 'https://evil.example'; } });
    await expectRefusal(res, { status: 400, code: 'WRONG_ISSUER', sub: scenario.sub });
  });

  describe('deployments', () => {
    let other: TestPlatform;
    before(async function () {
      this.timeout(60_000);
      other = await startPlatform(harness().accrue);
    });
    after(async () => other?.close());

    it('when the deployment id is not registered at all, then the launch is refused as UNKNOWN_DEPLOYMENT (403)', async () => {
      const { res, scenario } = await forgedLaunch({ edit: (c) => { c[LTI.deploymentId] = `unregistered-${Date.now()}`; } });
      await expectRefusal(res, { status: 403, code: 'UNKNOWN_DEPLOYMENT', sub: scenario.sub });
    });

    it('when the deployment id is registered for ANOTHER platform, then the launch is refused as UNKNOWN_DEPLOYMENT (403)', async () => {
      const { res, scenario } = await forgedLaunch({ edit: (c) => { c[LTI.deploymentId] = other.platform.options.deploymentId; } });
      await expectRefusal(res, { status: 403, code: 'UNKNOWN_DEPLOYMENT', sub: scenario.sub });
    });

    it('when the login initiation names another platform\'s deployment, then the login itself is refused (403)', async () => {
      const { accrue, lms } = harness();
      const url = new URL(lms.platform.loginUrl(learner()));
      url.searchParams.set('lti_deployment_id', other.platform.options.deploymentId);
      const res = await request(accrue.url).get(url.pathname + url.search);
      await expectRefusal(res, { status: 403, code: 'UNKNOWN_DEPLOYMENT' });
      expect(res.headers['set-cookie']).to.equal(undefined);
    });

    it('when the other platform launches with its own deployment, then it is accepted (the check is per platform)', async () => {
      const { res } = await forgedLaunch({ platform: other.platform });
      expect(res.status, res.text.slice(0, 300)).to.equal(303);
    });
  });

  it('when the message_type claim is missing, then it is refused as MISSING_MESSAGE_TYPE', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { delete c[LTI.messageType]; } });
    await expectRefusal(res, { status: 400, code: 'MISSING_MESSAGE_TYPE', sub: scenario.sub });
  });

  it('when the message_type is one this tool does not support, then it is refused as UNSUPPORTED_MESSAGE_TYPE', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c[LTI.messageType] = 'LtiSubmissionReviewRequest'; } });
    await expectRefusal(res, { status: 400, code: 'UNSUPPORTED_MESSAGE_TYPE', sub: scenario.sub });
  });

  it('when the LTI version is not 1.3.0 (or missing), then it is refused as WRONG_LTI_VERSION', async () => {
    for (const version of ['1.1', '1.3', undefined]) {
      const { res, scenario } = await forgedLaunch({ edit: (c) => { if (version === undefined) delete c[LTI.version]; else c[LTI.version] = version; } });
      await expectRefusal(res, { status: 400, code: 'WRONG_LTI_VERSION', sub: scenario.sub });
    }
  });

  it('when sub is missing (an anonymous launch), then it is refused as MISSING_SUB', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { delete c.sub; } });
    await expectRefusal(res, { status: 400, code: 'MISSING_SUB', sub: scenario.sub });
  });

  it('when the roles claim is missing, then it is refused as MISSING_ROLES', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { delete c[LTI.roles]; } });
    await expectRefusal(res, { status: 400, code: 'MISSING_ROLES', sub: scenario.sub });
  });

  it('when a resource link launch has no resource_link.id (or no resource_link), then it is refused as MISSING_RESOURCE_LINK_ID', async () => {
    const noId = await forgedLaunch({ edit: (c) => { c[LTI.resourceLink] = { title: 'No id' }; } });
    await expectRefusal(noId.res, { status: 400, code: 'MISSING_RESOURCE_LINK_ID', sub: noId.scenario.sub });
    const none = await forgedLaunch({ edit: (c) => { delete c[LTI.resourceLink]; } });
    await expectRefusal(none.res, { status: 400, code: 'MISSING_RESOURCE_LINK_ID', sub: none.scenario.sub });
  });

  it('when resource_link.id is longer than the 255 characters LTI allows, then it is refused as INVALID_RESOURCE_LINK_ID', async () => {
    const { res, scenario } = await forgedLaunch({ edit: (c) => { c[LTI.resourceLink] = { id: 'r'.repeat(256) }; } });
    await expectRefusal(res, { status: 400, code: 'INVALID_RESOURCE_LINK_ID', sub: scenario.sub });
  });

  it('when a signed claim holds a NUL or an unpaired surrogate (PostgreSQL stores neither), then it is refused with 400, not a 500', async () => {
    for (const name of ['Ada\u0000Lovelace', 'Ada \ud800']) {
      const { res, scenario } = await forgedLaunch({ edit: (c) => { c.name = name; } });
      await expectRefusal(res, { status: 400, code: 'INVALID_CHARACTERS', sub: scenario.sub });
    }
    const nested = await forgedLaunch({ edit: (c) => { c['https://purl.imsglobal.org/spec/lti/claim/custom'] = { ['key\u0000']: 'v' }; } });
    await expectRefusal(nested.res, { status: 400, code: 'INVALID_CHARACTERS', sub: nested.scenario.sub });
  });

  it('when nothing in the token is edited, then the same flow is accepted (control for the cases above)', async () => {
    const { res, scenario } = await forgedLaunch();
    expect(res.status, res.text.slice(0, 300)).to.equal(303);
    expect(res.headers.location).to.match(/^\/learner\?s=/);
    expect(await sessionCount(scenario.sub)).to.equal(1);
  });
});
