/**
 * External xAPI content in a real headless Chromium: the learner's content page opens the activity in a new window,
 * and that page, on its own origin, configures TinCanJS (its browser build, served from node_modules) from its
 * launch URL and reports a statement and a bookmark into Accrue's LRS over CORS. The statement is then found in the
 * LRS with the learner, the registration and the activity Accrue gave it.
 */
import path from 'node:path';
import { expect } from 'chai';
import express from 'express';
import request from 'supertest';
import { launchChromium, type Browser } from '../helpers/browser';
import { buildActivity, instructorIn, post } from '../helpers/cme';
import { harness, serve } from '../helpers/harness';
import { enrollmentOf, redirectOf, startPath } from '../helpers/learner-path';
import { credentialOn } from '../lrs-ops/helpers';

/** A content package as an authoring tool exports it: a page that reads its launch parameters with TinCanJS. */
function contentApp(): express.Express {
  const app = express();
  app.get('/lib/tincan.js', (_req, res) => res.sendFile(path.resolve(require.resolve('tincanjs/package.json'), '..', 'build', 'tincan.js')));
  app.get('/course/index.html', (_req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><title>Sepsis module</title><script src="/lib/tincan.js"></script></head>
<body><main><h1>Sepsis module</h1><p id="status">starting</p></main><script>
  var out = document.getElementById('status');
  var tincan = new TinCan({ url: window.location.href });
  tincan.sendStatement({ verb: { id: 'http://adlnet.gov/expapi/verbs/experienced', display: { 'en-US': 'experienced' } } }, function (results, statement) {
    var r = results[0];
    if (r.err !== null) { out.textContent = 'statement failed ' + (r.xhr ? r.xhr.status : r.err); return; }
    tincan.setState('bookmark', { page: 4 }, { contentType: 'application/json', callback: function (err) {
      out.textContent = err !== null ? 'state failed ' + err : 'sent ' + statement.id;
    } });
  });
</script></body></html>`);
  });
  return app;
}

describe('Browser: external content reports into Accrue with TinCanJS from its launch URL (Chromium)', function () {
  this.timeout(120_000);
  let browser: Browser;
  let content: Awaited<ReturnType<typeof serve>>;

  before(async () => {
    content = await serve(contentApp());
    browser = await launchChromium({ thirdPartyCookies: 'allow' });
  });
  after(async () => {
    await browser?.close();
    await content?.close();
  });

  it('when the learner opens the activity from the content page, then the content on its own origin stores a statement and State for that learner, registration and activity', async () => {
    const { accrue, lms } = harness();
    expect(new URL(content.url).origin).to.not.equal(new URL(accrue.url).origin);
    const { token: instructor } = await instructorIn();
    const id = await buildActivity(instructor, { content: { kind: 'url', url: `${content.url}/course/index.html?lang=en`, html: '' } });
    const l = await startPath(id);
    const next = redirectOf(await post('/learner/disclosures', { s: l.token, acknowledge: 'on' }));
    const { registration } = await enrollmentOf(id, l.sub);

    const page = await browser.context.newPage();
    await page.goto(`${accrue.url}/learner/content?s=${encodeURIComponent(next.token)}`);
    const [popup] = await Promise.all([browser.context.waitForEvent('page'), page.getByRole('link', { name: /Open the activity/ }).click()]);
    const logs: string[] = [];
    popup.on('console', (m) => logs.push(m.text()));
    await popup.waitForLoadState('load');
    expect(new URL(popup.url()).origin).to.equal(new URL(content.url).origin);
    await popup.waitForFunction(() => !/^starting$/.test(document.getElementById('status')!.textContent ?? ''), undefined, { timeout: 20_000 });
    const status = (await popup.textContent('#status')) ?? '';
    expect(status, logs.join('\n')).to.match(/^sent [0-9a-f-]{36}$/);
    const statementId = status.slice(5);

    const all = await credentialOn(accrue);
    const stored = await request(accrue.url).get(`/xapi/statements?statementId=${statementId}`).set('Authorization', all).set('X-Experience-API-Version', '2.0.0');
    expect(stored.status).to.equal(200);
    expect(stored.body.actor).to.deep.include({ account: { homePage: lms.platform.options.issuer, name: l.sub } });
    expect(stored.body.object.id).to.equal(`${accrue.url}/activities/${id}`);
    expect(stored.body.context.registration).to.equal(registration);
    const inRegistration = await request(accrue.url).get(`/xapi/statements?registration=${registration}&limit=100`).set('Authorization', all).set('X-Experience-API-Version', '2.0.0');
    expect(inRegistration.body.statements.map((s: { id: string }) => s.id)).to.include(statementId);

    const agent = encodeURIComponent(JSON.stringify(stored.body.actor));
    const state = await request(accrue.url)
      .get(`/xapi/activities/state?stateId=bookmark&agent=${agent}&activityId=${encodeURIComponent(stored.body.object.id)}&registration=${registration}`)
      .set('Authorization', all).set('X-Experience-API-Version', '1.0.3');
    expect(state.status).to.equal(200);
    expect(state.body).to.deep.equal({ page: 4 });
  });
});
