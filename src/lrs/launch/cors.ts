/**
 * CORS for launched content: content runs in the learner's browser on its own origin and calls /xapi with the
 * launch credential in the Authorization header. A preflight carries no credential, so an origin is answered while
 * a launch credential issued for content at that origin lives; anything else falls through to the app-wide CORS
 * (CORS_ORIGINS). The actual request still needs its credential: CORS only lets the browser read the answer.
 */
import type { RequestHandler } from 'express';
import { allowOrigin } from '../../web/security';
import type { LaunchCredentials } from '.';

export function launchCors(launch: Pick<LaunchCredentials, 'allowsOrigin'>): RequestHandler {
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (!origin || origin === 'null') return next();
    launch.allowsOrigin(origin).then((ok) => {
      if (!ok) return next();
      allowOrigin(res, origin);
      // TinCanJS preflights every request; let the browser keep the answer for a while (permission only, no data).
      if (req.method === 'OPTIONS') return void res.setHeader('Access-Control-Max-Age', '600').status(204).end();
      next();
    }, next);
  };
}
