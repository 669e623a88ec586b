/**
 * One learner, in a real headless Chromium, inside an LMS page that frames Accrue: the platform's real OIDC
 * launch, then every step to the claim, by keyboard where it matters. axe-core (WCAG 2.0/2.1 A and AA rules) runs
 * on every page of the path, error states included, and must find nothing.
 */
import crypto from 'node:crypto';
import axe from 'axe-core';
import { expect } from 'chai';
import express from 'express';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { SandboxPlatform } from '../../src/sandbox';
import { buildActivity, uniq } from '../helpers/cme';
import { harness, ROLES, serve } from '../helpers/harness';
import { launch, learner } from '../helpers/launch';

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

interface AxeViolation { id: string; impact: string; help: string; nodes: { target: string[] }[] }

/** An LMS on its own origin: a real LTI platform plus a course page that frames the tool's launch. */
async function startFramingLms() {
  const { accrue } = harness();
  const app = express();
  let platform: SandboxPlatform | undefined;
  app.get('/course/:scenario', (req, res) => {
    res.type('html').send(`<!doctype html><html lang="en"><head><title>Course</title></head><body><main><h1>Course</h1>
      <iframe title="Accrue activity" src="${platform!.loginUrl(JSON.parse(Buffer.from(String(req.params.scenario), 'base64url').toString()))}" style="width:100%;height:90vh;border:0"></iframe></main></body></html>`);
  });
  app.use((req, res, next) => platform!.router()(req, res, next));
  const served = await serve(app);
  platform = await new SandboxPlatform({
    db: accrue.accrue.db, issuer: served.url, clientId: `client-${crypto.randomUUID()}`, deploymentId: `deployment-${crypto.randomUUID()}`,
    tool: { loginUrl: `${accrue.url}/lti/login`, launchUrl: `${accrue.url}/lti/launch`, jwksUrl: `${accrue.url}/lti/keys` }, name: 'Framing LMS',
  }).init();
  await accrue.accrue.lti.registry.register({
    issuer: served.url, clientId: platform.options.clientId, name: 'Framing LMS', authEndpoint: platform.authEndpoint, tokenEndpoint: platform.tokenEndpoint,
    authConfig: { method: 'JWK_SET', key: platform.jwksUrl }, deploymentIds: [platform.options.deploymentId], active: true,
  });
  await accrue.accrue.lti.refreshPlatforms();
  return { url: served.url, platform, close: served.close };
}

describe('Browser: a learner from launch to claim, accessible on every page (WCAG 2.1 AA, axe-core)', function () {
  this.timeout(180_000);
  let browser: Browser;
  let lms: Awaited<ReturnType<typeof startFramingLms>>;
  const checked: { page: string; violations: AxeViolation[] }[] = [];

  before(async () => {
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    lms = await startFramingLms();
  });
  after(async () => {
    await browser?.close();
    await lms?.close();
    const total = checked.reduce((n, c) => n + c.violations.length, 0);
    process.stdout.write(`      axe: ${checked.length} pages checked, ${total} violations\n`);
  });

  /** The Accrue frame inside the LMS page, once it shows `path`. */
  async function accrueFrame(page: Page, path: string): Promise<Frame> {
    const { accrue } = harness();
    let frame: Frame | undefined;
    for (let i = 0; i < 100 && !frame; i++) {
      frame = page.frames().find((f) => f.url().startsWith(`${accrue.url}${path}`));
      if (!frame) await page.waitForTimeout(100);
    }
    if (!frame) throw new Error(`the Accrue frame never showed ${path}; frames: ${page.frames().map((f) => f.url()).join(', ')}`);
    await frame.waitForLoadState('load');
    return frame;
  }

  async function runAxe(frame: Frame): Promise<AxeViolation[]> {
    if (!(await frame.evaluate(() => 'axe' in window))) await frame.addScriptTag({ content: axe.source });
    return frame.evaluate(async (tags) => {
      const w = window as unknown as { axe: { run(ctx: Document, o: unknown): Promise<{ violations: AxeViolation[] }> } };
      const r = await w.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
      return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
    }, WCAG_TAGS);
  }

  async function audit(frame: Frame, name: string) {
    const violations = await runAxe(frame);
    checked.push({ page: name, violations });
    expect(violations, `${name}: ${JSON.stringify(violations, null, 2)}`).to.deep.equal([]);
  }

  const focusOutline = (frame: Frame) => frame.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const style = el ? getComputedStyle(el) : null;
    return { tag: el?.tagName ?? '', outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : '' };
  });

  it('when a pharmacist launches from the LMS and walks to the claim, then every page passes axe and works by keyboard', async () => {
    // The activity belongs to this LMS (an activity of another platform never opens), placed by its instructor.
    const instructor = await launch(harness().accrue.url, lms.platform, learner({ sub: uniq('instructor'), roles: ROLES.instructor, contextId: 'course-b' }));
    const activityId = await buildActivity(instructor.token, {
      title: 'Opioid stewardship',
      designations: { ACPE_P: { maxAmount: '1', uan: 'JA0006235-9999-25-077-H08-P', activityType: 'knowledge' }, IPCE: { maxAmount: '1' } },
      pretest: true,
    });
    const page = await browser.newPage();
    const scenario = { sub: uniq('browser-learner'), name: 'Bea Browser', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership#Learner'], contextId: 'course-b', contextTitle: 'Pharmacy grand rounds', resourceLinkId: uniq('link'), resourceLinkTitle: 'Opioid stewardship', custom: { activity_id: activityId } };
    await page.goto(`${lms.url}/course/${Buffer.from(JSON.stringify(scenario)).toString('base64url')}`);

    // Profile: first an empty submit (the error summary), then the real answers.
    let f = await accrueFrame(page, '/learner/profile');
    await audit(f, 'profile');
    // Control: the same check does see a violation when there is one (an unlabelled field), so a pass means something.
    await f.evaluate(() => document.querySelector('main')!.insertAdjacentHTML('beforeend', '<input type="text" id="axe-control">'));
    expect((await runAxe(f)).map((v) => v.id)).to.include('label');
    await f.evaluate(() => document.getElementById('axe-control')!.remove());
    await f.getByRole('button', { name: 'Save and continue' }).click();
    f = await accrueFrame(page, '/learner/profile');
    await f.waitForSelector('#error-summary');
    await audit(f, 'profile with errors');
    await f.click('#error-summary a[href="#f-profession"]');
    expect(await f.evaluate(() => document.activeElement?.id)).to.equal('f-profession');
    await f.selectOption('#f-profession', 'pharmacist');
    await f.selectOption('#f-degree', 'PharmD');
    await f.fill('#f-nabpEprofileId', '1234567');
    await f.selectOption('#f-birthMonth', '4');
    await f.fill('#f-birthDay', '17');
    await f.getByRole('button', { name: 'Save and continue' }).click();

    // Disclosures, acknowledged with the keyboard: Tab to the checkbox, Space, Enter on the button.
    f = await accrueFrame(page, '/learner/disclosures');
    await audit(f, 'disclosures');
    await f.focus('#f-acknowledge');
    const focused = await focusOutline(f);
    expect(focused.tag).to.equal('INPUT');
    await page.keyboard.press('Space');
    expect(await f.isChecked('#f-acknowledge'), 'Space ticks the focused checkbox').to.equal(true);
    await page.keyboard.press('Tab');
    const onButton = await focusOutline(f);
    expect(onButton.tag).to.equal('BUTTON');
    expect(onButton.outline, 'visible focus').to.match(/^solid [1-9]/);
    await page.keyboard.press('Enter');

    // Pre-test (the post-test's questions, before the content): an empty submit first (errors), then answers.
    f = await accrueFrame(page, '/learner/pretest');
    await audit(f, 'pre-test');
    await f.getByRole('button', { name: 'Submit the pre-test' }).click();
    f = await accrueFrame(page, '/learner/pretest');
    await f.waitForSelector('#error-summary');
    await audit(f, 'pre-test with errors');
    await f.check('fieldset >> nth=0 >> input[value="0"]');
    await f.check('fieldset >> nth=1 >> input[value="0"]');
    await f.getByRole('button', { name: 'Submit the pre-test' }).click();

    f = await accrueFrame(page, '/learner/content');
    await audit(f, 'content');
    // The page's own script reports time while visible; then 30 minutes pass (the last heartbeat is backdated
    // before each one the page sends, as the API tests do).
    const db = harness().accrue.accrue.db;
    const enrollment = async () => (await db.query<{ id: string; last_heartbeat_at: Date | null; measured_seconds: string }>(
      'SELECT id, last_heartbeat_at, measured_seconds FROM enrollment WHERE activity_id = $1 AND sub = $2', [activityId, scenario.sub])).rows[0]!;
    for (let i = 0; i < 100 && !(await enrollment()).last_heartbeat_at; i++) await page.waitForTimeout(100);
    expect((await enrollment()).last_heartbeat_at, 'the page sent a heartbeat').to.not.equal(null);
    const { id: enrollmentId } = await enrollment();
    const learnerToken = new URL(f.url()).searchParams.get('s')!;
    for (let i = 0; i < 30; i++) {
      await db.query("UPDATE enrollment SET last_heartbeat_at = now() - interval '60 seconds' WHERE id = $1", [enrollmentId]);
      const status = await f.evaluate(async (s) => (await fetch('/learner/heartbeat', { method: 'POST', body: new URLSearchParams({ s }) })).status, learnerToken);
      expect(status).to.equal(200);
    }
    expect(Number((await enrollment()).measured_seconds)).to.be.at.least(1800);
    await f.getByRole('button', { name: 'I have finished the content' }).click();

    // Post-test: a failed attempt first (the result notice), then the right answers chosen with arrow keys.
    f = await accrueFrame(page, '/learner/posttest');
    await audit(f, 'post-test');
    await f.getByRole('button', { name: 'Submit answers' }).click();
    f = await accrueFrame(page, '/learner/posttest');
    await f.waitForSelector('#error-summary');
    await audit(f, 'post-test with errors');
    const radios = await f.$$('fieldset');
    expect(radios.length).to.equal(2);
    await f.check('input[type=radio][value="0"] >> nth=0');
    await f.check('fieldset >> nth=1 >> input[value="1"]');
    await f.getByRole('button', { name: 'Submit answers' }).click();
    f = await accrueFrame(page, '/learner/posttest');
    await f.waitForSelector('text=Not passed');
    await audit(f, 'post-test not passed');
    await f.focus('fieldset >> nth=0 >> input[value="0"]');
    await page.keyboard.press('ArrowDown');
    expect(await f.evaluate(() => (document.activeElement as HTMLInputElement).value)).to.equal('1');
    await f.check('fieldset >> nth=1 >> input[value="0"]');
    await f.getByRole('button', { name: 'Submit answers' }).click();

    f = await accrueFrame(page, '/learner/evaluation');
    await audit(f, 'evaluation');
    await f.check('#f-objectivesMet');
    await f.check('#f-intentToChange');
    await f.getByRole('button', { name: 'Submit the evaluation' }).click();
    f = await accrueFrame(page, '/learner/evaluation');
    await f.waitForSelector('#error-summary');
    await audit(f, 'evaluation with errors');
    await f.fill('#f-changeDescription', 'Taper opioids with a plan.');
    await f.check('#f-fairBalance');
    await f.check('#f-freeOfCommercialBias');
    await f.getByRole('button', { name: 'Submit the evaluation' }).click();

    f = await accrueFrame(page, '/learner/attestation');
    await audit(f, 'attestation');
    await f.fill('#f-minutes', '45');
    await f.check('#f-attest');
    await f.getByRole('button', { name: 'Attest my time' }).click();

    f = await accrueFrame(page, '/learner/claim');
    await audit(f, 'claim');
    // 30 minutes measured, 45 attested: the preview shows what the claim will award before it is submitted.
    const preview = await f.textContent('#credit-preview');
    expect(preview).to.contain('0.5 ACPE credit').and.contain('0.05 CEU').and.contain('0.5 IPCE credit');
    await f.getByRole('button', { name: 'Claim this credit' }).click();

    f = await accrueFrame(page, '/learner/done');
    await audit(f, 'done');
    expect(await f.textContent('table')).to.contain('ACPE').and.contain('0.5');
    await f.getByRole('link', { name: 'Your credit record for this activity' }).click();
    f = await accrueFrame(page, '/learner/records/');
    await audit(f, 'credit record');
    await page.close();

    // The registrar's outcomes of this activity, with the pre/post chart and its table (one learner with both).
    const registrar = await browser.newPage();
    await registrar.goto(`${harness().accrue.url}/reports/activities/${activityId}/outcomes?s=${encodeURIComponent(instructor.token!)}`);
    await registrar.waitForSelector('#h-prepost');
    await audit(registrar.mainFrame(), 'outcomes with pre/post');

    // The builder's requirements now that the pre-test froze the questions: shown read only, and the page saved as
    // shown (its hidden fields carry the questions back, multi-line options included) is accepted.
    await registrar.goto(`${harness().accrue.url}/builder/activities/${activityId}/requirements?s=${encodeURIComponent(instructor.token!)}`);
    await registrar.waitForSelector('#posttest-frozen');
    expect(await registrar.locator('textarea[name^="posttest["], input[name^="posttest["]:not([type=hidden])').count()).to.equal(0);
    await audit(registrar.mainFrame(), 'builder: requirements with frozen questions');
    await registrar.getByRole('button', { name: 'Save requirements' }).click();
    await registrar.waitForURL(/saved=requirements/);
    await registrar.close();
  });

  it('when an instructor opens the course builder and the deep-linking picker, then those pages pass axe too', async () => {
    const page = await browser.newPage();
    const contextId = uniq('course');
    const instructor = { sub: uniq('instructor'), name: 'Ina Instructor', roles: ROLES.instructor, contextId, contextTitle: 'Builder course', resourceLinkId: uniq('link') };
    await page.goto(`${lms.url}/course/${Buffer.from(JSON.stringify(instructor)).toString('base64url')}`);
    let f = await accrueFrame(page, '/builder');
    await audit(f, 'builder home');
    await f.fill('#f-title', 'Heart failure update');
    await f.selectOption('#f-learningFormat', 'enduring');
    await f.getByRole('button', { name: 'Create activity' }).click();
    f = await accrueFrame(page, '/builder/activities/');
    await audit(f, 'builder activity');
    const overview = f.url();
    for (const section of ['Details', 'People and disclosures', 'Credit and MOC', 'Requirements', 'Content', 'Statements']) {
      await f.goto(overview);
      await f.getByRole('link', { name: `Edit ${section}`, exact: true }).click();
      f = await accrueFrame(page, '/builder/activities/');
      await f.waitForSelector('form');
      await audit(f, `builder: ${section}`);
    }
    await f.getByRole('button', { name: 'Save statements' }).click();
    await f.waitForURL(/saved=statements/);
    await audit(f, 'builder: section saved');
    await page.goto(`${lms.url}/course/${Buffer.from(JSON.stringify({ ...instructor, messageType: 'LtiDeepLinkingRequest' })).toString('base64url')}`);
    f = await accrueFrame(page, '/builder/deep-link');
    await audit(f, 'deep-linking picker');
    await f.getByRole('button', { name: 'Place the chosen activity' }).click();
    f = await accrueFrame(page, '/builder/deep-link/select');
    await audit(f, 'deep-linking picker with errors');
    await page.close();
  });
});
