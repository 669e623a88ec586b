/**
 * Certificates over HTTP. Public, no login: /verify/<code> (HTML, or JSON for Accept: application/json), the issuer
 * profile /issuer and its keys /issuer/keys (= /.well-known/jwks.json). With a launch session: the learner's own
 * certificates and downloads under /learner/certificates, and for administrators /admin/certificates (revoke,
 * reissue, audit trail), limited to their own platform.
 */
import express, { Router, type RequestHandler } from 'express';
import type { AppRole, LaunchContext } from '../lti';
import type { ViewEngine } from '../web/views';
import { CREDIT_TYPES } from '../credit';
import { displayCode, normaliseCode } from './code';
import { issuerProfileDocument, type IssuerProfile } from './credential';
import type { KeyRing } from './keys';
import { awardLine, formatDate } from './present';
import type { CertificateService } from './service';

export interface CertificateRoutesOptions {
  service: CertificateService;
  keys: KeyRing;
  views: ViewEngine;
  issuer: IssuerProfile;
  publicUrl: string;
  requireSession: (roles?: AppRole[]) => RequestHandler;
}

type Handler = (req: express.Request, res: express.Response) => Promise<void>;
const wrap = (fn: Handler): RequestHandler => (req, res, next) => void fn(req, res).catch(next);

function launchOf(res: express.Response): LaunchContext {
  return res.locals.launch!;
}

function actorOf(launch: LaunchContext): string {
  return `lti:${launch.platform.id}:${launch.user.sub}${launch.user.name ? ` (${launch.user.name})` : ''}`;
}

const param = (req: express.Request, name: string): string => String(req.params[name] ?? '');

export function certificateRoutes(options: CertificateRoutesOptions): Router {
  const { service, keys, views, issuer } = options;
  const r = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const jwksUrl = `${options.publicUrl}/issuer/keys`;

  // --- public -------------------------------------------------------------------------------------------------
  r.get('/verify', (req, res) => {
    const typed = typeof req.query.code === 'string' ? req.query.code : '';
    const code = typed ? normaliseCode(typed) : undefined;
    if (code) {
      res.redirect(303, `/verify/${code}`);
      return;
    }
    res.status(typed ? 404 : 200).type('html').send(views.render('public/verify', { title: 'Verify a certificate', unknown: Boolean(typed), typed }));
  });

  r.get('/verify/:code', wrap(async (req, res) => {
    const typed = param(req, 'code');
    const view = await service.verify(typed);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('X-Robots-Tag', 'noindex');
    const json = req.accepts(['html', 'json']) === 'json';
    if (!view) {
      res.status(404);
      if (json) res.json({ status: 'unknown', code: typed.slice(0, 64) });
      else res.type('html').send(views.render('public/verify', { title: 'Unknown certificate', unknown: true, typed: typed.slice(0, 64) }));
      return;
    }
    if (json) res.json(view);
    else res.type('html').send(views.render('public/verify', { title: `Certificate ${view.code}`, view, [view.status]: true }));
  }));

  r.get('/issuer', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.type('application/json').send(JSON.stringify(issuerProfileDocument(issuer, { jwksUrl }), null, 2));
  });

  const jwks = wrap(async (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json({ keys: await keys.published() });
  });
  r.get('/issuer/keys', jwks);
  r.get('/.well-known/jwks.json', jwks);
  r.get('/issuer/keys/:kid', wrap(async (req, res) => {
    const key = await keys.publishedOne(param(req, 'kid'));
    if (!key) {
      res.status(404).json({ error: { code: 'KEY_NOT_FOUND', message: 'No published key has this id.' } });
      return;
    }
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(key);
  }));

  // --- the learner's own ---------------------------------------------------------------------------------------
  const owner = (res: express.Response) => ({ platformId: launchOf(res).platform.id, sub: launchOf(res).user.sub });

  r.get('/learner/certificates', options.requireSession(), wrap(async (_req, res) => {
    const rows = await service.ofLearner(owner(res));
    const certificates = rows.map((row) => ({
      code: displayCode(row.code),
      title: row.activity_title,
      completedOn: formatDate(row.completion_date),
      status: row.status,
      valid: row.status === 'valid',
      credits: row.input.awards.map((a) => awardLine(a, row.input).line),
      credentials: row.credit_types.map((type) => ({ type, label: awardLine(row.input.awards.find((a) => a.type === type)!, row.input).mark })),
      verifyUrl: service.verifyUrl(row.code),
    }));
    res.type('html').send(views.render('learner/certificates', { title: 'Your certificates', launch: launchOf(res), s: res.locals.sessionToken, certificates }));
  }));

  r.get('/learner/certificates/:code/pdf', options.requireSession(), wrap(async (req, res) => {
    const pdf = await service.pdfOf({ ...owner(res), code: param(req, 'code') });
    res.type('application/pdf');
    res.setHeader('Content-Disposition', `attachment; filename="certificate-${normaliseCode(param(req, 'code'))}.pdf"`);
    res.send(pdf);
  }));

  r.get('/learner/certificates/:code/credentials/:type', options.requireSession(), wrap(async (req, res) => {
    const type = param(req, 'type');
    const jwt = await service.credentialOf({ ...owner(res), code: param(req, 'code'), type: (CREDIT_TYPES as readonly string[]).includes(type) ? type : '' });
    // A VC-JWT (OB 3.0 8.2): a compact JWS whose payload is the OpenBadgeCredential.
    res.type('application/jwt');
    res.setHeader('Content-Disposition', `attachment; filename="credential-${normaliseCode(param(req, 'code'))}-${type}.jwt"`);
    res.send(jwt);
  }));

  // --- administrators, on their own platform --------------------------------------------------------------------
  const admin = options.requireSession(['admin']);
  const scopeOf = (res: express.Response) => ({ platformId: launchOf(res).platform.id });

  r.get('/admin/certificates', admin, wrap(async (req, res) => {
    const typed = typeof req.query.code === 'string' ? req.query.code.trim() : '';
    if (typed) {
      res.redirect(303, `/admin/certificates/${encodeURIComponent(normaliseCode(typed) ?? typed)}?s=${encodeURIComponent(res.locals.sessionToken!)}`);
      return;
    }
    const rows = await service.recent({ ...scopeOf(res), limit: 50 });
    const certificates = rows.map((row) => ({
      code: displayCode(row.code), title: row.activity_title, learner: row.learner_name, issuedOn: formatDate(row.issued_at.toISOString()), status: row.status,
    }));
    res.type('html').send(views.render('admin/certificates', { title: 'Certificates', launch: launchOf(res), s: res.locals.sessionToken, certificates }));
  }));

  r.get('/admin/certificates/:code', admin, wrap(async (req, res) => {
    const typed = param(req, 'code');
    const trail = await service.auditTrail(typed, scopeOf(res));
    const view = (await service.verify(typed))!;
    const entries = trail.map((a) => ({ ...a, code: displayCode(a.code), at: a.at.toISOString().replace('T', ' ').slice(0, 19) + ' UTC', details: Object.keys(a.details).length ? JSON.stringify(a.details) : '' }));
    res.type('html').send(views.render('admin/certificate', {
      title: `Certificate ${view.code}`, launch: launchOf(res), s: res.locals.sessionToken, view, trail: entries,
      changeable: view.status !== 'replaced', revocable: view.status === 'valid', done: typeof req.query.done === 'string' ? req.query.done : undefined,
    }));
  }));

  r.post('/admin/certificates/:code/revoke', form, admin, wrap(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const done = await service.revoke({ code: param(req, 'code'), reason: String(body.reason ?? ''), actor: actorOf(launchOf(res)), scope: scopeOf(res) });
    res.redirect(303, `/admin/certificates/${normaliseCode(done.code)}?done=revoked&s=${encodeURIComponent(res.locals.sessionToken!)}`);
  }));

  r.post('/admin/certificates/:code/reissue', form, admin, wrap(async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const name = typeof body.name === 'string' && body.name.trim() ? body.name : undefined;
    const done = await service.reissue({ code: param(req, 'code'), reason: String(body.reason ?? ''), learnerName: name, actor: actorOf(launchOf(res)), scope: scopeOf(res) });
    res.redirect(303, `/admin/certificates/${normaliseCode(done.code)}?done=reissued&s=${encodeURIComponent(res.locals.sessionToken!)}`);
  }));

  return r;
}
