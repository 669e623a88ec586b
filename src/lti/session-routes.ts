/**
 * POST /lti/session/renew: exchanges a valid session token (Authorization: Bearer) for a fresh one, so a learner who
 * stays on one page is not cut off (public/session.js calls it). It needs no cookie and is not CSRF-able: the token
 * travels in a header a cross-site page cannot set. Like every page, it never logs the token (request logs hold
 * only the path; see src/lti/session.ts).
 */
import { Router, type RequestHandler } from 'express';
import type { AppRole } from './model';

export function sessionRouter(options: { requireSession: (roles?: AppRole[]) => RequestHandler; ttlMinutes: number }): Router {
  const r = Router();
  r.post('/lti/session/renew', options.requireSession(), (_req, res) => {
    res.json({ token: res.locals.sessionToken, expiresIn: options.ttlMinutes * 60 });
  });
  return r;
}
