/**
 * The sandbox LMS (never in production): a platform registered with Accrue at start, with buttons that launch
 * Accrue as a learner, instructor or administrator through the real LTI endpoints (inside an iframe of its home
 * page, as an LMS does, or in a window of its own), and a gradebook of every score
 * Accrue sent back through AGS.
 */
import { Router } from 'express';
import type { Db } from '../db';
import type { PlatformRegistry } from '../lti';
import type { ViewEngine } from '../web/views';
import { STORAGE_FRAME_NAME } from './embed';
import { ROLES, SandboxPlatform, type LaunchScenario } from './platform';

export { SandboxPlatform, ROLES, formPost } from './platform';
export type { LaunchScenario } from './platform';

export const SANDBOX_CLIENT_ID = 'accrue-sandbox';
export const SANDBOX_DEPLOYMENT_ID = 'sandbox-deployment-1';

const PEOPLE: Record<string, LaunchScenario> = {
  learner: { sub: 'sandbox-learner', name: 'Sandbox Learner', email: 'learner@sandbox.invalid', roles: ROLES.learner },
  instructor: { sub: 'sandbox-instructor', name: 'Sandbox Instructor', email: 'instructor@sandbox.invalid', roles: ROLES.instructor },
  admin: { sub: 'sandbox-admin', name: 'Sandbox Administrator', email: 'admin@sandbox.invalid', roles: ROLES.admin },
  deeplink: { sub: 'sandbox-instructor', name: 'Sandbox Instructor', email: 'instructor@sandbox.invalid', roles: ROLES.instructor, messageType: 'LtiDeepLinkingRequest' },
};

export async function createSandbox(options: { db: Db; publicUrl: string; registry: PlatformRegistry; views: ViewEngine }) {
  const issuer = `${options.publicUrl}/sandbox`;
  const platform = await new SandboxPlatform({
    db: options.db, issuer, clientId: SANDBOX_CLIENT_ID, deploymentId: SANDBOX_DEPLOYMENT_ID,
    tool: { loginUrl: `${options.publicUrl}/lti/login`, launchUrl: `${options.publicUrl}/lti/launch`, jwksUrl: `${options.publicUrl}/lti/keys` },
  }).init();

  const existing = (await options.registry.list()).find((p) => p.issuer === issuer && p.clientId === SANDBOX_CLIENT_ID);
  if (!existing) {
    try {
      await options.registry.register({
        issuer, clientId: SANDBOX_CLIENT_ID, name: 'Accrue sandbox LMS', authEndpoint: platform.authEndpoint, tokenEndpoint: platform.tokenEndpoint,
        authConfig: { method: 'JWK_SET', key: platform.jwksUrl }, deploymentIds: [SANDBOX_DEPLOYMENT_ID], active: true,
      });
    } catch (err) {
      // Another process registered it first (several instances starting together): that is the same sandbox.
      if (!(await options.registry.list()).some((p) => p.issuer === issuer && p.clientId === SANDBOX_CLIENT_ID)) throw err;
    }
  }

  const router = Router();
  router.get('/', (_req, res) => {
    res.type('html').send(options.views.render('sandbox/home', {
      title: 'Accrue sandbox LMS', issuer, publicUrl: options.publicUrl, storageFrameUrl: platform.storageFrameUrl, storageFrameName: STORAGE_FRAME_NAME,
    }));
  });
  // embed=1: the launch runs inside the home page's iframe, the way an LMS shows Accrue, with platform storage
  // answered by the page's storage frame (so it also works where the browser blocks third-party cookies).
  router.get('/sandbox/launch', (req, res) => {
    const who = typeof req.query.as === 'string' && PEOPLE[req.query.as] ? req.query.as : 'learner';
    const scenario = { ...PEOPLE[who]!, contextId: 'sandbox-course', resourceLinkId: 'sandbox-activity' };
    res.redirect(302, platform.loginUrl(scenario, { storage: req.query.embed === '1' ? 'frame' : 'none' }));
  });
  router.get('/sandbox/gradebook', async (_req, res) => {
    const scores = (await platform.scores()).map((s) => ({ ...s, scoreText: s.score.scoreGiven !== undefined ? `${String(s.score.scoreGiven)} / ${String(s.score.scoreMaximum)}` : '—', receivedAt: s.receivedAt.toISOString() }));
    res.type('html').send(options.views.render('sandbox/gradebook', { title: 'Sandbox gradebook', scores }));
  });
  router.use('/sandbox', platform.router());
  return { router, platform };
}
