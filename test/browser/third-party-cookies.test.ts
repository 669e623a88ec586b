/**
 * Launches inside a cross-site LMS iframe in a real headless Chromium that blocks third-party cookies.
 * Accrue runs on https://localhost:Q (production cookie flags: Secure; SameSite=None), the test platform on
 * http://127.0.0.1:P: different sites, so everything Accrue does inside the platform's iframe is third-party.
 * The platform's course page embeds Accrue and, depending on the case, answers platform storage from a storage
 * frame, from the page itself (_parent), not at all, or announces it and stays silent.
 * A control Chromium that allows third-party cookies shows the tests are meaningful: the same cookie comes back
 * there and not in the blocking one.
 */
import { expect } from 'chai';
import express from 'express';
import type { Frame, Page } from 'playwright-core';
import type { RunningServer } from '../../src/main';
import type { StorageMode } from '../../src/sandbox/embed';
import { launchChromium, type Browser } from '../helpers/browser';
import { serve, startPlatform, type TestPlatform } from '../helpers/harness';
import { selfSignedCertificate, serveTls, startInstance } from '../helpers/instance';
import { learner } from '../helpers/launch';
import { sessionCount } from '../helpers/refusal';

type Served = Awaited<ReturnType<typeof serve>>;
type StorageLogEntry = { subject: string; origin: string; accepted: boolean };

describe('Launch in a cross-site iframe with third-party cookies blocked (Chromium)', function () {
  this.timeout(120_000);
  const tls = selfSignedCertificate('localhost');
  let tool: RunningServer;
  let lms: TestPlatform;
  let probe: Served;
  let sites: Served;
  let blocking: Browser;
  let allowing: Browser;

  before(async function () {
    this.timeout(120_000);
    // A page of another site that frames whatever it is told to, and records every message it receives.
    const pages = express();
    pages.get('/frame', (req, res) => {
      res.type('html').send(`<!doctype html><html lang="en"><head><title>Another site</title></head><body>
        <script>window.received = []; window.addEventListener('message', function (e) { window.received.push({ origin: e.origin, data: e.data }); });</script>
        <iframe name="framed" src="${String(req.query.src).replace(/"/g, '&quot;')}" width="800" height="500"></iframe></body></html>`);
    });
    sites = await serve(pages);
    tool = await startInstance({ host: 'localhost', tls, config: { frameAncestors: [sites.url] } });
    expect(tool.url).to.match(/^https:\/\/localhost:\d+$/);
    lms = await startPlatform(tool);
    expect(lms.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    // A same-site neighbour of Accrue (https://localhost) that sets a cookie when framed and shows what comes back.
    const probeApp = express();
    probeApp.get('/set', (_req, res) => {
      res.setHeader('Set-Cookie', 'probe=1; Path=/; Secure; HttpOnly; SameSite=None');
      res.type('html').send('<!doctype html><html lang="en"><head><title>Probe</title></head><body><a id="next" href="/echo">next</a></body></html>');
    });
    probeApp.get('/echo', (req, res) => {
      const cookies = (req.headers.cookie ?? '').replace(/[^\w=;. -]/g, '');
      res.type('html').send(`<!doctype html><html lang="en"><head><title>Probe</title></head><body><p id="cookies">${cookies}</p></body></html>`);
    });
    probe = await serveTls(probeApp, tls);
    [blocking, allowing] = await Promise.all([launchChromium({ thirdPartyCookies: 'block' }), launchChromium({ thirdPartyCookies: 'allow' })]);
  });

  after(async () => {
    await blocking?.close();
    await allowing?.close();
    await probe?.close();
    await lms?.close();
    await tool?.close();
    await sites?.close();
  });

  /** Opens the platform's course page for a new learner; returns the page, its Accrue iframe and the scenario. */
  async function coursePage(browser: Browser, storage: StorageMode) {
    const scenario = learner({ name: `Learner ${Date.now()}`, resourceLinkTitle: 'Sepsis grand rounds' });
    const page = await browser.context.newPage();
    await page.goto(lms.platform.embedUrl(scenario, storage));
    const frame = page.frame({ name: 'accrue_tool' });
    if (!frame) throw new Error('the course page has no Accrue frame');
    return { page, frame, scenario };
  }

  async function storageLog(page: Page, storage: 'frame' | 'parent'): Promise<StorageLogEntry[]> {
    const frame = storage === 'frame' ? page.frame({ name: 'lti_storage_frame' })! : page.mainFrame();
    return frame.evaluate(() => (window as unknown as { ltiStorageLog: StorageLogEntry[] }).ltiStorageLog);
  }

  async function landed(frame: Frame, scenario: { name?: string }) {
    await frame.waitForURL(/\/learner\?s=/, { timeout: 20_000 }).catch(async (err: unknown) => {
      throw new Error(`${String(err)}\nframe at ${frame.url()} shows: ${(await frame.textContent('body').catch(() => ''))?.replace(/\s+/g, ' ').slice(0, 400)}`);
    });
    expect(new URL(frame.url()).origin).to.equal(tool.url);
    expect(await frame.textContent('h1')).to.contain('Sepsis grand rounds');
    expect(await frame.textContent('main')).to.contain(scenario.name!);
  }

  async function accrueCookies(browser: Browser) {
    return (await browser.context.cookies(tool.url)).filter((c) => c.name.startsWith('lti_login_'));
  }

  it('when a Secure; SameSite=None cookie is set inside a cross-site iframe, then the blocking browser does not send it back and the control browser does', async () => {
    const seen: Record<string, string> = {};
    for (const [name, browser] of [['blocking', blocking], ['allowing', allowing]] as const) {
      const page = await browser.context.newPage();
      await page.goto(`${sites.url}/frame?src=${encodeURIComponent(`${probe.url}/set`)}`);
      const frame = page.frame({ name: 'framed' })!;
      await frame.waitForSelector('#next');
      await frame.click('#next');
      seen[name] = (await frame.textContent('#cookies', { timeout: 10_000 })) ?? '';
      await page.close();
    }
    expect(seen).to.deep.equal({ blocking: '', allowing: 'probe=1' });
  });

  it('when the platform answers platform storage from a storage frame, then the launch completes in the iframe through postMessage, with no cookie', async () => {
    const { page, frame, scenario } = await coursePage(blocking, 'frame');
    await landed(frame, scenario);
    const log = await storageLog(page, 'frame');
    const from = (subject: string) => log.filter((e) => e.subject === subject && e.origin === tool.url && e.accepted).length;
    expect({ put: from('lti.put_data'), get: from('lti.get_data') }).to.deep.equal({ put: 2, get: 2 });
    expect(log.every((e) => e.origin === tool.url)).to.equal(true);
    expect(await accrueCookies(blocking), 'no Accrue cookie was kept').to.deep.equal([]);
    expect(await sessionCount(scenario.sub)).to.equal(1);
    await page.close();
  });

  it('when the course page itself answers platform storage (lti_storage_target=_parent), then the launch completes too', async () => {
    const { page, frame, scenario } = await coursePage(blocking, 'parent');
    await landed(frame, scenario);
    const log = await storageLog(page, 'parent');
    expect(log.filter((e) => e.accepted).map((e) => e.subject).sort()).to.deep.equal(['lti.get_data', 'lti.get_data', 'lti.put_data', 'lti.put_data']);
    await page.close();
  });

  it('when the platform offers no platform storage, then the launch fails cleanly with the new-window offer, and the new window completes a first-party launch', async () => {
    const { page, frame, scenario } = await coursePage(blocking, 'none');
    await frame.waitForSelector('#open-new-window', { timeout: 20_000 });
    expect(await frame.textContent('.error')).to.contain('STATE_MISMATCH');
    expect(await sessionCount(scenario.sub)).to.equal(0);
    const [popup] = await Promise.all([blocking.context.waitForEvent('page'), frame.click('#open-new-window')]);
    await popup.waitForURL(/\/learner\?s=/, { timeout: 20_000 });
    expect(new URL(popup.url()).origin).to.equal(tool.url);
    expect(await popup.textContent('main')).to.contain(scenario.name!);
    expect(await sessionCount(scenario.sub)).to.equal(1);
    await popup.close();
    await page.close();
  });

  it('when the platform names a storage target but never answers, then the launch page shows the new-window offer, which completes the launch', async () => {
    const { page, frame, scenario } = await coursePage(blocking, 'silent');
    await frame.waitForSelector('#lti-storage-fallback:not([hidden]) #open-new-window', { timeout: 20_000 });
    expect(await frame.textContent('#lti-storage-status')).to.contain('could not confirm');
    const [popup] = await Promise.all([blocking.context.waitForEvent('page'), frame.click('#lti-storage-fallback #open-new-window')]);
    await popup.waitForURL(/\/learner\?s=/, { timeout: 20_000 });
    expect(await popup.textContent('main')).to.contain(scenario.name!);
    await popup.close();
    await page.close();
  });

  it('when third-party cookies are allowed (control), then the same platform without storage launches in the iframe through the cookie', async () => {
    const { page, frame, scenario } = await coursePage(allowing, 'none');
    await landed(frame, scenario);
    await page.close();
  });

  it('when another site frames Accrue\'s login and names itself as storage target, then it never receives a message: the secrets go only to the platform\'s origin', async () => {
    const login = lms.platform.loginUrl(learner(), { storage: 'parent' });
    const page = await blocking.context.newPage();
    await page.goto(`${sites.url}/frame?src=${encodeURIComponent(login)}`);
    const frame = page.frame({ name: 'framed' })!;
    // Both the login page (put) and the launch page (get) addressed "_parent"; the browser dropped them all.
    await frame.waitForSelector('#lti-storage-fallback:not([hidden])', { timeout: 20_000 });
    expect(await page.evaluate(() => (window as unknown as { received: unknown[] }).received)).to.deep.equal([]);
    await page.close();
  });

  it('when the learner stays on one page, then its session token is renewed in the iframe without cookies and links, forms and the address follow it', async () => {
    const { page, frame, scenario } = await coursePage(blocking, 'frame');
    await landed(frame, scenario);
    const before = await frame.evaluate(() => (window as unknown as { accrueSession: { token(): string } }).accrueSession.token());
    await frame.evaluate((t) => {
      document.querySelector('main')!.insertAdjacentHTML('beforeend', `<a id="next" href="/learner?s=${t}">Next</a><form id="f" action="/learner"><input type="hidden" name="s" value="${t}"></form>`);
    }, before);
    await new Promise((r) => setTimeout(r, 1100)); // a new iat, so the renewed token differs
    const after = await frame.evaluate(() => (window as unknown as { accrueSession: { renew(): Promise<string | null> } }).accrueSession.renew());
    expect(after).to.be.a('string').and.not.equal(before);
    expect(await frame.getAttribute('#next', 'href')).to.equal(`/learner?s=${after}`);
    expect(await frame.inputValue('#f input[name="s"]')).to.equal(after);
    expect(await frame.getAttribute('meta[name="accrue-session"]', 'content')).to.equal(after);
    expect(new URL(frame.url()).searchParams.get('s')).to.equal(after);
    await frame.click('#next');
    await landed(frame, scenario);
    expect(await accrueCookies(blocking)).to.deep.equal([]);
    await page.close();
  });

  describe('the sandbox LMS (development)', () => {
    let sandbox: RunningServer;
    before(async function () {
      this.timeout(60_000);
      sandbox = await startInstance({ host: 'localhost', config: { sandbox: true } });
    });
    after(async () => sandbox?.close());

    it('when a newcomer presses "Launch as learner" on its home page, then Accrue opens inside the page\'s iframe, with platform storage answered by its storage frame', async () => {
      const page = await blocking.context.newPage();
      await page.goto(`${sandbox.url}/`);
      await page.click('a[href="/sandbox/launch?as=learner&embed=1"]');
      const frame = page.frame({ name: 'accrue_tool' })!;
      await frame.waitForURL(/\/learner\?s=/, { timeout: 20_000 });
      expect(await frame.textContent('h1')).to.contain('Sandbox activity');
      expect(await frame.textContent('main')).to.contain('Sandbox Learner');
      const log = await page.frame({ name: 'lti_storage_frame' })!.evaluate(() => (window as unknown as { ltiStorageLog: StorageLogEntry[] }).ltiStorageLog);
      expect(log.filter((e) => e.subject === 'lti.put_data' && e.accepted && e.origin === sandbox.url)).to.have.length(2);
      await page.close();
    });
  });
});
