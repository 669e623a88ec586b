/** Placeholder landing pages not yet served by a feature (the builder is src/activities, the learner's path src/learning). Each needs a valid session of the right role. */
import { Router, type RequestHandler } from 'express';
import type { AppRole } from '../lti';
import type { ViewEngine } from './views';

export function landingPages(options: { views: ViewEngine; requireSession: (roles?: AppRole[]) => RequestHandler }): Router {
  const r = Router();
  const page = (view: string, title: string): RequestHandler => (_req, res) => {
    res.type('html').send(options.views.render(view, { title, launch: res.locals.launch, s: res.locals.sessionToken }));
  };
  r.get('/admin', options.requireSession(['admin']), page('admin/home', 'Administration'));
  return r;
}
