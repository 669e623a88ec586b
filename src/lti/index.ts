/**
 * LTI feature face. The only place that imports ltijs.
 * Glossary: Platform = an LMS registration (issuer + client id); Deployment = one placement of the tool;
 * LaunchContext = what an accepted launch tells us; session token = the short-lived key to a launch's context.
 * Platform storage = the platform's postMessage key/value store (lti_storage_target), which stands in for the state
 * cookie when the browser blocks third-party cookies; new window = the same login restarted top-level, first-party
 * (client-storage.ts, cookieless.ts).
 */
import { Router, type RequestHandler } from 'express';
import type { Config } from '../config';
import type { Db } from '../db';
import { AuthError, ForbiddenError } from '../errors';
import { RateLimiter } from '../web/rate-limit';
import type { ViewEngine } from '../web/views';
import type { AppRole, LaunchContext } from './model';
import { CookielessLaunch } from './cookieless';
import { OidcService } from './oidc';
import { PlatformRegistry } from './platforms';
import { createDeepLinkingResponse, type ResourceLinkItem } from './deep-linking';
import { createLtiCore } from './provider';
import { ltiRouter } from './routes';
import { SessionService } from './session';
import { sessionRouter } from './session-routes';
import { AgsClient } from './ags';
import { NrpsClient } from './nrps';
import { CachedLtiStore } from './platform-cache';
import { LtiStore } from './store';

export type { AppRole, LaunchContext, PlatformRecord } from './model';
export type { NewPlatform } from './platforms';
export { PlatformRegistry } from './platforms';
export { landingPath } from './routes';
export { createDeepLinkingResponse, type ResourceLinkItem } from './deep-linking';
export { AgsClient, AgsError, AGS_SCOPE, scoresUrl, lineItemsQueryUrl } from './ags';
export type { AgsScore, AgsStage, LineItem } from './ags';
export { NrpsClient, NrpsError, NRPS_SCOPE, type Member } from './nrps';

declare module 'express-serve-static-core' {
  interface Locals {
    launch?: LaunchContext;
    sessionId?: string;
    sessionToken?: string;
    /** Set by requireToken: who the token names (signature and expiry checked, session row not read). */
    tokenUser?: { platformId: string; sub: string };
  }
}

export async function createLti(options: { db: Db; config: Config; secret: string; views: ViewEngine }) {
  const { db, config } = options;
  const core = await createLtiCore({ db, secret: options.secret, toolKeyBits: config.ltiToolKeyBits });
  const store = new LtiStore(db);
  const hotStore = new CachedLtiStore(db, config.platformCacheSeconds * 1000);
  const registry = new PlatformRegistry(db, core, store, () => hotStore.clear());
  const oidc = new OidcService(hotStore, {
    publicUrl: config.publicUrl, stateTtlSeconds: config.stateTtlSeconds, clockSkewSeconds: config.clockSkewSeconds,
    idTokenMaxAgeSeconds: config.idTokenMaxAgeSeconds, maxIdTokenBytes: config.maxIdTokenBytes,
  });
  const sessions = new SessionService(store, options.secret, config.sessionTtlMinutes);

  // Origins allowed to frame Accrue: every registered platform's, refreshed each minute and on registration.
  let ancestors: string[] = [];
  const refreshAncestors = async () => {
    const origins = new Set<string>(config.frameAncestors);
    for (const p of await store.allPlatforms()) {
      for (const u of [p.issuer, p.authEndpoint]) {
        try {
          origins.add(new URL(u).origin);
        } catch {
          /* not a URL: nothing to allow */
        }
      }
    }
    ancestors = [...origins];
  };
  await refreshAncestors();
  const timers = [
    setInterval(() => void refreshAncestors().catch(() => undefined), 60_000),
    setInterval(() => void store.sweep().catch(() => undefined), 5 * 60_000),
  ];
  timers.forEach((t) => t.unref());

  const launchRouter = ltiRouter({
    oidc, cookieless: new CookielessLaunch(hotStore, oidc), sessions, registry, views: options.views,
    tool: { publicUrl: config.publicUrl, name: config.toolName, description: config.toolDescription, autoActivate: config.autoActivatePlatforms },
    secureCookies: config.publicUrl.startsWith('https://') || config.env === 'production',
    stateTtlSeconds: config.stateTtlSeconds, maxIdTokenBytes: config.maxIdTokenBytes,
    onPlatformsChanged: () => void refreshAncestors().catch(() => undefined),
    registrationLimiter: new RateLimiter({ limit: config.registrationRateLimit, windowMs: config.registrationRateWindowSeconds * 1000 }),
    registrationEndpointHosts: config.registrationEndpointHosts,
  });

  /** Resolves the session token (query `s`, form field `s`, or `Authorization: Bearer`) and checks the role. */
  const requireSession = (roles?: AppRole[]): RequestHandler => async (req, res, next) => {
    try {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      const fromBody = typeof (req.body as Record<string, unknown> | undefined)?.s === 'string' ? String((req.body as Record<string, unknown>).s) : undefined;
      const token = bearer ?? fromBody ?? (typeof req.query.s === 'string' ? req.query.s : undefined);
      if (!token) throw new AuthError();
      const session = await sessions.resolve(token);
      if (roles && !roles.includes(session.launch.appRole)) throw new ForbiddenError();
      res.locals.launch = session.launch;
      res.locals.sessionId = session.id;
      res.locals.sessionToken = session.renewedToken;
      res.setHeader('Cache-Control', 'no-store');
      next();
    } catch (err) {
      next(err);
    }
  };

  /**
   * Checks only the token's signature and expiry (SessionService.verify: no database read) and puts who it names in
   * `res.locals.tokenUser`. For polls answered from process memory (export progress); pages use requireSession.
   */
  const requireToken = (): RequestHandler => async (req, res, next) => {
    try {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      res.locals.tokenUser = await sessions.verify(bearer ?? (typeof req.query.s === 'string' ? req.query.s : undefined));
      res.setHeader('Cache-Control', 'no-store');
      next();
    } catch (err) {
      next(err);
    }
  };

  const router = Router();
  router.use(launchRouter, sessionRouter({ requireSession, ttlMinutes: config.sessionTtlMinutes }));

  return {
    router, registry, sessions, requireSession, requireToken, core,
    /** The signed deep-linking response form for a deep-linking launch (LTI-DL 2.0 4.5). */
    deepLinkingResponse: (launch: LaunchContext, items: ResourceLinkItem[]) => createDeepLinkingResponse(core.provider, launch, items),
    /** An AGS client on this instance's platforms; every HTTP call it makes is limited to `timeoutMs`. */
    agsClient: (o: { timeoutMs: number; tokenMarginSeconds?: number }) => new AgsClient({ core, ...o }),
    /** An NRPS client (course rosters) sharing the AGS token cache; every HTTP call is limited to `timeoutMs`. */
    nrpsClient: (o: { timeoutMs: number }) => new NrpsClient({ ags: new AgsClient({ core, timeoutMs: o.timeoutMs }), timeoutMs: o.timeoutMs }),
    frameAncestors: () => ancestors,
    refreshPlatforms: refreshAncestors,
    async close() {
      timers.forEach((t) => clearInterval(t));
      await core.storage.Close();
    },
  };
}

export type Lti = Awaited<ReturnType<typeof createLti>>;

export { createPlatformAdmin, type PlatformAdmin } from './admin';
export { canvasDeveloperKey, moodleToolSettings, MANIFEST_FILES, type ManifestTool } from './manifest';
export { LTI_COMMANDS } from './cli';
