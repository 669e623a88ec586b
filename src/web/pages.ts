/** The pages a launch lands on, by role. Later features fill them; each needs a valid session of the right role. */
import { Router, type RequestHandler } from 'express';
import type { AppRole } from '../lti';
import type { ViewEngine } from './views';

export function landingPages(options: { views: ViewEngine; requireSession: (roles?: AppRole[]) => RequestHandler }): Router {
  const r = Router();
  const page = (view: string, title: string): RequestHandler => (_req, res) => {
    res.type('html').send(options.views.render(view, { title, launch: res.locals.launch, s: res.locals.sessionToken }));
  };
  r.get('/learner', options.requireSession(), page('learner/home', 'Your activity'));
  r.get('/builder', options.requireSession(['instructor', 'admin']), page('builder/home', 'Course builder'));
  r.get('/builder/deep-link', options.requireSession(['instructor', 'admin']), page('builder/deep-link', 'Add an activity'));
  r.get('/admin', options.requireSession(['admin']), page('admin/home', 'Administration'));
  return r;
}
