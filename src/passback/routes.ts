/** The administrators' view of the outbox: GET /admin/passback (by status) and POST /admin/passback/:id/retry. */
import express, { Router, type RequestHandler } from 'express';
import type { AppRole } from '../lti';
import type { ViewEngine } from '../web/views';
import type { PassbackAdmin } from './admin';
import { DISPLAY_STATUSES } from './model';

const iso = (d: Date | null) => (d ? d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '');

export function passbackRoutes(o: { admin: PassbackAdmin; views: ViewEngine; requireSession: (roles?: AppRole[]) => RequestHandler }): Router {
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '8kb' });

  r.get('/admin/passback', o.requireSession(['admin']), async (req, res, next) => {
    try {
      const status = o.admin.parseStatus(req.query.status);
      const [entries, counts] = await Promise.all([o.admin.list({ status }), o.admin.counts()]);
      const s = res.locals.sessionToken ?? '';
      res.type('html').send(o.views.render('admin/passback', {
        title: 'Grades sent to the LMS', launch: res.locals.launch, s, status: status ?? 'all',
        notice: typeof req.query.retried === 'string' && /^\d+$/.test(req.query.retried) ? `Entry ${req.query.retried} is due now.` : undefined,
        filters: ['all', ...DISPLAY_STATUSES].map((f) => ({
          name: f, label: f === 'all' ? 'all' : `${f} (${counts[f as keyof typeof counts]})`, current: f === (status ?? 'all'),
        })),
        entries: entries.map((e) => ({
          id: e.id, kind: e.kind, platformId: e.platformId, userSub: e.userSub, status: e.displayStatus, attempts: e.attempts,
          score: e.payload.score.scoreGiven !== undefined ? `${e.payload.score.scoreGiven} / ${e.payload.score.scoreMaximum}` : e.payload.score.activityProgress,
          created: iso(e.createdAt), nextAttempt: e.status === 'pending' ? iso(e.nextAttemptAt) : '', delivered: iso(e.deliveredAt),
          lastError: e.lastError ?? '', certificateUrl: e.payload.certificateUrl ?? '',
          retryable: e.status !== 'superseded',
        })),
      }));
    } catch (err) {
      next(err);
    }
  });

  r.post('/admin/passback/:id/retry', form, o.requireSession(['admin']), async (req, res, next) => {
    try {
      const entry = await o.admin.retry(String(req.params.id));
      const back = new URLSearchParams({ s: res.locals.sessionToken ?? '', retried: entry.id });
      res.redirect(303, `/admin/passback?${back.toString()}`);
    } catch (err) {
      next(err);
    }
  });
  return r;
}
