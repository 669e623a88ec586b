/**
 * What protects a launch besides its token: CORS never reflects an arbitrary origin, framing is allowed to the
 * registered platforms by CSP frame-ancestors (not forbidden by X-Frame-Options), the login-state cookie is
 * HttpOnly and, behind an https PUBLIC_URL, Secure + SameSite=None so it survives the LMS's cross-site POST, and a
 * database that cannot be reached is an error, never a process exit.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import request from 'supertest';
import { DatabaseUnavailableError, openDatabase } from '../../src/db';
import { startServer, type RunningServer } from '../../src/main';
import { testConfig } from '../helpers/db';
import { harness } from '../helpers/harness';
import { learner } from '../helpers/launch';
import { expectRefusal } from '../helpers/refusal';

const EVIL = 'https://evil.example';

function frameAncestors(csp: string | undefined): string[] {
  const directive = (csp ?? '').split(';').map((d) => d.trim()).find((d) => d.startsWith('frame-ancestors '));
  return directive ? directive.split(/\s+/).slice(1) : [];
}

function loginCookieAttributes(setCookie: unknown): string[] {
  const c = ((setCookie as string[] | undefined) ?? []).find((x) => x.startsWith('lti_login_'));
  if (!c) throw new Error('no login cookie was set');
  return c.split(';').slice(1).map((a) => a.trim().toLowerCase());
}

/** A login initiation of the suite's test LMS aimed at `toolUrl` (the tool's public URL). */
function loginPathFor(toolUrl: string): string {
  const { lms } = harness();
  const url = new URL(lms.platform.loginUrl(learner()));
  url.searchParams.set('target_link_uri', `${toolUrl}/lti/launch`);
  return url.pathname + url.search;
}

describe('LTI launch security around the token', () => {
  it('when a request comes from an arbitrary Origin, then no CORS header reflects it and its preflight is refused', async () => {
    const { accrue } = harness();
    const simple = await request(accrue.url).get('/healthz').set('Origin', EVIL);
    expect(simple.status).to.equal(200);
    expect(simple.headers['access-control-allow-origin']).to.equal(undefined);
    expect(simple.headers['access-control-allow-credentials']).to.equal(undefined);
    const launch = await request(accrue.url).post('/lti/launch').set('Origin', EVIL).type('form').send({ id_token: 'x', state: 'y' });
    expect(launch.status).to.be.within(400, 499);
    expect(launch.headers['access-control-allow-origin']).to.equal(undefined);
    const preflight = await request(accrue.url).options('/lti/launch').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
    expect(preflight.status).to.equal(403);
    expect(preflight.headers['access-control-allow-origin']).to.equal(undefined);
  });

  it('when pages and refusals are served, then CSP frame-ancestors lists the registered platform and no X-Frame-Options forbids framing', async () => {
    const { accrue, lms } = harness();
    const lmsOrigin = new URL(lms.url).origin;
    for (const res of [
      await request(accrue.url).get('/healthz'),
      await request(accrue.url).get('/lti/launch'),
      await request(accrue.url).get(loginPathFor(accrue.url)),
    ]) {
      const ancestors = frameAncestors(res.headers['content-security-policy']);
      expect(ancestors, `${res.status} ${res.headers['content-security-policy']}`).to.include("'self'").and.include(lmsOrigin);
      expect(ancestors).to.not.include('*').and.not.include(EVIL);
      expect(res.headers['x-frame-options']).to.equal(undefined);
    }
  });

  it('when a login starts over plain http (development), then the state cookie is HttpOnly, limited to /lti/launch and not Secure', async () => {
    const { accrue } = harness();
    const res = await request(accrue.url).get(loginPathFor(accrue.url));
    expect(res.status).to.equal(302);
    const attrs = loginCookieAttributes(res.headers['set-cookie']);
    expect(attrs).to.include('httponly').and.include('path=/lti/launch').and.include('samesite=lax');
    expect(attrs).to.not.include('secure');
  });

  describe('an instance whose PUBLIC_URL is https', () => {
    let second: RunningServer;
    let base: string;
    before(async function () {
      this.timeout(60_000);
      const { accrue } = harness();
      // A second Accrue on the suite's database (so the test LMS is already registered), told it is reached over https.
      second = await startServer({
        config: testConfig({ publicUrl: 'https://127.0.0.1:0', sandbox: false, corsOrigins: ['https://lms.example'] }),
        db: accrue.accrue.db, host: '127.0.0.1',
      });
      base = `http://127.0.0.1:${(second.server.address() as AddressInfo).port}`;
    });
    after(async () => second?.close());

    it('when a login starts, then the state cookie is HttpOnly; Secure; SameSite=None so the LMS\'s cross-site POST carries it', async () => {
      expect(second.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
      const res = await request(base).get(loginPathFor(second.url));
      expect(res.status, res.text.slice(0, 300)).to.equal(302);
      const attrs = loginCookieAttributes(res.headers['set-cookie']);
      expect(attrs).to.include('httponly').and.include('secure').and.include('samesite=none').and.include('path=/lti/launch');
    });

    it('when CORS_ORIGINS lists an origin, then only that origin is answered and an arbitrary one still is not', async () => {
      const allowed = await request(base).get('/healthz').set('Origin', 'https://lms.example');
      expect(allowed.headers['access-control-allow-origin']).to.equal('https://lms.example');
      expect(allowed.headers.vary).to.match(/Origin/);
      const evil = await request(base).get('/healthz').set('Origin', EVIL);
      expect(evil.headers['access-control-allow-origin']).to.equal(undefined);
      const evilPreflight = await request(base).options('/healthz').set('Origin', EVIL).set('Access-Control-Request-Method', 'GET');
      expect(evilPreflight.status).to.equal(403);
    });

    it('when the login targets the http form of its https URL, then it is refused as FOREIGN_TARGET_LINK_URI', async () => {
      const res = await request(base).get(loginPathFor(second.url.replace(/^https:/, 'http:')));
      await expectRefusal(res, { status: 400, code: 'FOREIGN_TARGET_LINK_URI' });
    });
  });

  it('when DATABASE_URL points at a server that is not there, then openDatabase rejects with DatabaseUnavailableError (no exit)', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'accrue-nodb-'));
    const exit = process.exit;
    let exitCalled = false;
    process.exit = ((code?: number) => { exitCalled = true; throw new Error(`process.exit(${code}) called`); }) as typeof process.exit;
    try {
      const err = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:1/x', dataDir, poolSize: 1 }).then(() => null, (e: unknown) => e);
      expect(err).to.be.instanceOf(DatabaseUnavailableError);
      expect((err as Error).message).to.contain('DATABASE_URL');
    } finally {
      process.exit = exit;
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
    expect(exitCalled).to.equal(false);
  });

  it('when a launch is refused, then the error page is accessible: language, title, one h1, an alert region and a skip link', async () => {
    const res = await request(harness().accrue.url).post('/lti/launch').type('form').send({ id_token: 'not-a-token', state: 'x' });
    await expectRefusal(res, { status: 400, code: 'MALFORMED_ID_TOKEN' });
    expect(res.text).to.match(/<title>[^<]+· Accrue<\/title>/);
    expect(res.text.match(/<h1[\s>]/g)).to.have.length(1);
    expect(res.text).to.match(/<main id="main"/).and.contain('href="#main"');
    expect(res.text).to.match(/<div class="error" role="alert">\s*<h1>/);
  });
});
