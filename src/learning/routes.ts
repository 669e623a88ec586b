/**
 * The learner's pages (/learner/...). Every page derives the learner and the activity from the session's launch,
 * so no URL can point at another learner's data. A page of a step not yet reached redirects (303) to the current
 * step; a form posted at the wrong step answers 409. Invalid input re-renders the form with errors (400).
 */
import express, { Router, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AppRole } from '../lti';
import { bodyOf, type FieldError } from '../web/form-parsing';
import type { ViewEngine } from '../web/views';
import { contentView, xapiLaunchOf, type XapiCredentialsHook } from './content';
import { parseAcknowledgement, parseAttestation, parseEvaluation, parsePosttest, parseProfile } from './forms';
import type { Step } from './model';
import { canView } from './rules';
import type { LearningService, PathState } from './service';
import { attestationPage, claimPage, contentPage, disclosuresPage, evaluationPage, posttestPage, pretestPage, profilePage, stepNav } from './views';

export interface LearnerRouteOptions {
  service: LearningService;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  publicUrl: string;
  nabpPattern: RegExp;
  heartbeatSeconds: number;
  xapiCredentials: XapiCredentialsHook;
  launchActorName: boolean;
}

const withToken = (res: Response, path: string) => `${path}${path.includes('?') ? '&' : '?'}s=${encodeURIComponent(res.locals.sessionToken!)}`;

export function learnerRouter(o: LearnerRouteOptions): Router {
  const { service } = o;
  const r = Router();
  const session = [express.urlencoded({ extended: true, limit: '64kb', parameterLimit: 300 }), o.requireSession(['learner'])];

  const render = (res: Response, view: string, title: string, locals: Record<string, unknown> = {}, status = 200) => {
    const errors = (locals.errors as FieldError[] | undefined) ?? [];
    res.status(status).type('html').send(o.views.render(view, {
      title: errors.length ? `Error: ${title}` : title, heading: title, launch: res.locals.launch, s: res.locals.sessionToken,
      errors, errorMap: Object.fromEntries(errors.map((e) => [e.field, e.message])), ...locals,
    }));
  };
  const go = (res: Response, step: Step | 'profile') => res.redirect(303, withToken(res, `/learner/${step}`));
  const pageOf = (s: PathState, extra: Record<string, unknown> = {}) => ({ activity: s.activity, nav: stepNav(s.steps, s.step), heartbeatSeconds: o.heartbeatSeconds, ...extra });

  /** Resolves the learner's state for a step page: profile first, then no skipping ahead. */
  const step = (name: Step) => async (req: Request, res: Response, next: NextFunction) => {
    const s = await service.state(res.locals.launch!);
    if (!s.profile) return go(res, 'profile');
    if (req.method === 'GET') {
      const access = canView(s.steps, s.step, name);
      if (!access.ok) return go(res, access.redirectTo);
    }
    res.locals.path = s;
    next();
  };
  const state = (res: Response) => res.locals.path as PathState;

  r.get('/learner', ...session, async (_req, res) => {
    const launch = res.locals.launch!;
    const activity = await service.activityOf(launch);
    if (!activity) return render(res, 'learner/unplaced', launch.resourceLink?.title ?? 'Your activity');
    if (activity.status !== 'published') return render(res, 'learner/not-open', activity.title, { activity });
    const s = await service.enter(launch, activity, res.locals.sessionId!);
    go(res, s.profile ? s.step : 'profile');
  });

  r.get('/learner/profile', ...session, async (_req, res) => {
    render(res, 'learner/profile', 'Your profile', profilePage({ profile: await service.profile(res.locals.launch!) }));
  });
  r.post('/learner/profile', ...session, async (req, res) => {
    const parsed = parseProfile(req.body, o.nabpPattern);
    if (!parsed.ok) return render(res, 'learner/profile', 'Your profile', { ...profilePage({ body: req.body }), errors: parsed.errors }, 400);
    await service.saveProfile(res.locals.launch!, parsed.value);
    const activity = await service.activityOf(res.locals.launch!);
    if (!activity || activity.status !== 'published') return res.redirect(303, withToken(res, '/learner'));
    go(res, (await service.enter(res.locals.launch!, activity, res.locals.sessionId!)).step);
  });

  r.get('/learner/disclosures', ...session, step('disclosures'), async (_req, res) => {
    render(res, 'learner/disclosures', 'Before you start', { ...pageOf(state(res)), ...disclosuresPage(state(res)) });
  });
  r.post('/learner/disclosures', ...session, step('disclosures'), async (req, res) => {
    const parsed = parseAcknowledgement(req.body);
    if (!parsed.ok) return render(res, 'learner/disclosures', 'Before you start', { ...pageOf(state(res)), ...disclosuresPage(state(res)), errors: parsed.errors }, 400);
    await service.acknowledgeDisclosures(state(res));
    go(res, (await service.state(res.locals.launch!)).step);
  });

  r.get('/learner/pretest', ...session, step('pretest'), async (_req, res) => {
    render(res, 'learner/pretest', 'Pre-test', { ...pageOf(state(res)), ...pretestPage(state(res)) });
  });
  r.post('/learner/pretest', ...session, step('pretest'), async (req, res) => {
    const s = state(res);
    const parsed = parsePosttest(req.body, s.activity.posttest);
    if (!parsed.ok) return render(res, 'learner/pretest', 'Pre-test', { ...pageOf(s), ...pretestPage(s, bodyOf(req.body)), errors: parsed.errors }, 400);
    await service.submitPretest(s, parsed.value);
    go(res, 'content');
  });

  const showContent = async (res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const s = state(res);
    const xapi = xapiLaunchOf({
      activity: s.activity, publicUrl: o.publicUrl, platformIssuer: s.launch.platform.issuer, learner: { sub: s.launch.user.sub, name: s.launch.user.name },
      enrollmentId: s.enrollment.id, registration: s.enrollment.registration, actorName: o.launchActorName,
    });
    // A fresh short-lived credential per page view: the content opened from this page reports with it.
    const view = contentView({ activity: s.activity, xapi, credentials: xapi ? await o.xapiCredentials(xapi) : null });
    if (view.frameOrigin) {
      // The embedded video or page is the only other origin this page may frame (CSP frame-src).
      res.setHeader('Content-Security-Policy', `${String(res.getHeader('Content-Security-Policy') ?? "default-src 'self'")}; frame-src 'self' ${view.frameOrigin}`);
    }
    render(res, 'learner/content', s.activity.title, { ...pageOf(s), ...contentPage(s, view), ...extra }, status);
  };
  r.get('/learner/content', ...session, step('content'), async (_req, res) => showContent(res));
  r.post('/learner/content', ...session, step('content'), async (_req, res) => {
    await service.finishContent(state(res));
    go(res, (await service.state(res.locals.launch!)).step);
  });

  r.post('/learner/heartbeat', ...session, async (req, res) => {
    const s = await service.state(res.locals.launch!);
    const measured = await service.heartbeat(s, { pause: bodyOf(req.body).pause === '1' });
    res.json({ measuredSeconds: Math.floor(measured), s: res.locals.sessionToken });
  });

  r.get('/learner/posttest', ...session, step('posttest'), async (_req, res) => {
    render(res, 'learner/posttest', 'Post-test', { ...pageOf(state(res)), ...posttestPage(state(res)) });
  });
  r.post('/learner/posttest', ...session, step('posttest'), async (req, res) => {
    const s = state(res);
    const parsed = parsePosttest(req.body, s.activity.posttest);
    if (!parsed.ok) return render(res, 'learner/posttest', 'Post-test', { ...pageOf(s), ...posttestPage(s, bodyOf(req.body)), errors: parsed.errors }, 400);
    const result = await service.submitPosttest(s, parsed.value);
    if (result.passed) return go(res, (await service.state(res.locals.launch!)).step);
    render(res, 'learner/posttest', 'Post-test', { ...pageOf(s), ...posttestPage(s), result });
  });

  r.get('/learner/evaluation', ...session, step('evaluation'), async (_req, res) => {
    render(res, 'learner/evaluation', 'Evaluation', { ...pageOf(state(res)), ...evaluationPage(state(res)) });
  });
  r.post('/learner/evaluation', ...session, step('evaluation'), async (req, res) => {
    const s = state(res);
    const parsed = parseEvaluation(req.body, s.activity.evaluationQuestions);
    if (!parsed.ok) return render(res, 'learner/evaluation', 'Evaluation', { ...pageOf(s), ...evaluationPage(s, bodyOf(req.body)), errors: parsed.errors }, 400);
    await service.submitEvaluation(s, parsed.value);
    go(res, 'attestation');
  });

  r.get('/learner/attestation', ...session, step('attestation'), async (_req, res) => {
    render(res, 'learner/attestation', 'Attest your time', { ...pageOf(state(res)), ...attestationPage(state(res), service.attestationText(state(res).activity)) });
  });
  r.post('/learner/attestation', ...session, step('attestation'), async (req, res) => {
    const s = state(res);
    const parsed = parseAttestation(req.body);
    if (!parsed.ok) {
      return render(res, 'learner/attestation', 'Attest your time', { ...pageOf(s), ...attestationPage(s, service.attestationText(s.activity), bodyOf(req.body)), errors: parsed.errors }, 400);
    }
    await service.attest(s, parsed.value.minutes);
    go(res, 'claim');
  });

  r.get('/learner/claim', ...session, step('claim'), async (_req, res) => {
    render(res, 'learner/claim', 'Claim your credit', { ...pageOf(state(res)), ...claimPage(await service.preview(state(res))) });
  });
  r.post('/learner/claim', ...session, async (_req, res) => {
    const s = await service.state(res.locals.launch!);
    await service.claim(s);
    go(res, 'done');
  });

  r.get('/learner/done', ...session, step('done'), async (_req, res) => {
    const s = state(res);
    render(res, 'learner/done', 'Credit claimed', { ...pageOf(s), enrollmentId: s.enrollment.id, claims: await service.claims(s.enrollment.id) });
  });

  /** A learner's record of one enrollment (their receipt); another learner's id answers 404. */
  r.get('/learner/records/:enrollmentId', ...session, async (req, res) => {
    const e = await service.ownEnrollment(res.locals.launch!, String(req.params.enrollmentId));
    const day = (d: Date | null) => (d ? d.toISOString().slice(0, 10) : null);
    render(res, 'learner/record', 'Your credit record', { registeredOn: day(e.registeredAt), completedOn: day(e.completedAt), claims: await service.claims(e.id) });
  });

  return r;
}
