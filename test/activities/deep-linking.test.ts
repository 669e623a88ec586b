import { expect } from 'chai';
import { harness, ROLES } from '../helpers/harness';
import { createActivity, get, instructorIn, post, uniq } from '../helpers/cme';
import { launch, learner } from '../helpers/launch';

/** Launches the LMS's "add external tool" flow (an LtiDeepLinkingRequest) for an instructor of `contextId`. */
async function deepLinkSession(contextId: string) {
  const { accrue, lms } = harness();
  const l = await launch(accrue.url, lms.platform, learner({ sub: uniq('instructor'), roles: ROLES.instructor, contextId, messageType: 'LtiDeepLinkingRequest' }));
  expect(l.location).to.match(/^\/builder\/deep-link\?s=/);
  return l.token;
}

/** Posts the auto-submitting form's fields to its action, as the browser would. */
async function submitReturnForm(html: string) {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const jwt = /name="JWT" value="([^"]+)"/.exec(html)?.[1];
  expect(action, 'form action').to.be.a('string');
  expect(jwt, 'JWT field').to.be.a('string');
  const res = await fetch(action!, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ JWT: jwt! }) });
  return { status: res.status, text: await res.text(), action: action!, jwt: jwt! };
}

const decodeItems = (text: string) => JSON.parse(/<pre>([\s\S]*)<\/pre>/.exec(text)![1]!.replace(/&#(\d+);/g, (_m, c: string) => String.fromCharCode(Number(c)))) as Record<string, unknown>[];

describe('Deep linking: placing an activity from the LMS', () => {
  it('when the builder creates a new activity in the picker, then a signed response returns its resource link with a line item', async () => {
    const { accrue, lms } = harness();
    const contextId = uniq('course');
    const token = await deepLinkSession(contextId);
    const picker = await get('/builder/deep-link', token);
    expect(picker.status).to.equal(200);
    expect(picker.text).to.contain('Create a new activity');
    const res = await post('/builder/deep-link/create', { s: token, title: 'Grand rounds: heart failure', learningFormat: 'rss' });
    expect(res.status).to.equal(200);
    const back = await submitReturnForm(res.text);
    expect(back.action).to.equal(`${lms.url}/deep-link-return`);
    expect(back.status, back.text).to.equal(200);
    const [item] = decodeItems(back.text);
    const id = (await accrue.accrue.db.query<{ id: string }>('SELECT id FROM activity WHERE platform_id = $1 AND context_id = $2', [lms.id, contextId])).rows[0]!.id;
    expect(item).to.deep.equal({
      type: 'ltiResourceLink', title: 'Grand rounds: heart failure', url: `${accrue.url}/lti/launch`, custom: { activity_id: id },
      lineItem: { scoreMaximum: 100, label: 'Grand rounds: heart failure', resourceId: id, tag: 'accrue-cme-activity' },
    });
    const claims = JSON.parse(Buffer.from(back.jwt.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims['https://purl.imsglobal.org/spec/lti/claim/message_type']).to.equal('LtiDeepLinkingResponse');
    expect(claims['https://purl.imsglobal.org/spec/lti/claim/deployment_id']).to.equal(lms.platform.options.deploymentId);
    expect(Object.keys(claims).some((k) => k.endsWith(' '))).to.equal(false);
  });

  it('when the builder picks an existing activity of the course, then the response carries that activity', async () => {
    const contextId = uniq('course');
    const { token: builderToken } = await instructorIn(contextId);
    const id = await createActivity(builderToken, 'Existing activity', 'course');
    const token = await deepLinkSession(contextId);
    expect((await get('/builder/deep-link', token)).text).to.contain('Existing activity');
    const res = await post('/builder/deep-link/select', { s: token, activityId: id });
    expect(res.status).to.equal(200);
    const back = await submitReturnForm(res.text);
    expect(back.status).to.equal(200);
    expect(decodeItems(back.text)[0]).to.include({ title: 'Existing activity' }).and.have.nested.property('custom.activity_id', id);
  });

  it('when the builder picks nothing, or an activity of another course, then it is refused without a response', async () => {
    const other = await instructorIn();
    const foreign = await createActivity(other.token, 'Elsewhere');
    const token = await deepLinkSession(uniq('course'));
    const none = await post('/builder/deep-link/select', { s: token });
    expect(none.status).to.equal(400);
    expect(none.text).to.contain('href="#f-activityId"').and.not.contain('name="JWT"');
    const elsewhere = await post('/builder/deep-link/select', { s: token, activityId: foreign });
    expect(elsewhere.status).to.equal(404);
    const invalid = await post('/builder/deep-link/create', { s: token, title: '', learningFormat: 'x' });
    expect(invalid.status).to.equal(400);
    expect(invalid.text).to.contain('href="#f-title"');
  });

  it('when a resource-link session (not a deep-linking launch) posts to the picker, then it is refused with 400', async () => {
    const { token, contextId } = await instructorIn();
    const res = await post('/builder/deep-link/create', { s: token, title: 'x', learningFormat: 'course' });
    expect(res.status).to.equal(400);
    expect(res.text).to.not.contain('name="JWT"');
    const created = await harness().accrue.accrue.db.query('SELECT 1 FROM activity WHERE context_id = $1', [contextId]);
    expect(created.rows).to.have.length(0);
  });
});
