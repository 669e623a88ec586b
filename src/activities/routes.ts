/**
 * Course-builder pages (/builder): list and create activities, edit each section, publish. Instructors and
 * administrators only, and only for activities of the course they launched from. Forms post back with the
 * session token in the hidden field `s`; invalid input re-renders the form with its errors (400).
 */
import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../errors';
import type { AppRole } from '../lti';
import { bodyOf, type FieldError } from '../web/form-parsing';
import type { ViewEngine } from '../web/views';
import { parseCredit, parseRequirements } from './credit-forms';
import { contentForm, creditForm, detailsForm, disclosuresForm, frozenQuestionsOf, requirementsForm, statementsForm } from './form-models';
import { parseContent, parseDetails, parseDisclosures, parseNewActivity, parseStatements } from './forms';
import { FORMAT_LABELS, type Activity } from './model';
import type { ActivityService } from './service';
import { overviewOf } from './overview';

export interface BuilderRouteOptions {
  service: ActivityService;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
}

export const BUILDER_ROLES: AppRole[] = ['instructor', 'admin'];

/** Renders a page with what every page needs (the launch, the renewed session token). */
export function renderer(views: ViewEngine) {
  return (res: Response, view: string, title: string, locals: Record<string, unknown> = {}, status = 200) => {
    const errors = (locals.errors as FieldError[] | undefined) ?? [];
    res.status(status).type('html').send(views.render(view, {
      title: errors.length ? `Error: ${title}` : title, heading: title,
      launch: res.locals.launch, s: res.locals.sessionToken, errors, errorMap: Object.fromEntries(errors.map((e) => [e.field, e.message])), ...locals,
    }));
  };
}

interface Section {
  view: string;
  title: string;
  form: (source: { activity: Activity } | { body: unknown }) => unknown;
  /** What the page shows from the saved activity whatever the form holds (for example what is frozen). */
  locals?: (activity: Activity) => Record<string, unknown>;
  save: (o: { service: ActivityService; req: Request; res: Response; activity: Activity }) => Promise<FieldError[] | null>;
}

const SECTIONS: Record<string, Section> = {
  details: {
    view: 'builder/details', title: 'Activity details', form: detailsForm,
    async save({ service, req, res, activity }) {
      const r = parseDetails(req.body);
      if (!r.ok) return r.errors;
      const refused = await service.updateDetails(res.locals.launch!, activity.id, r.value);
      return refused.length ? refused : null;
    },
  },
  disclosures: {
    view: 'builder/disclosures', title: 'People, disclosures and commercial support', form: disclosuresForm,
    async save({ service, req, res, activity }) {
      const r = parseDisclosures(req.body);
      if (!r.ok) return r.errors;
      await service.replaceDisclosures(res.locals.launch!, activity.id, r.value);
      return null;
    },
  },
  credit: {
    view: 'builder/credit', title: 'Credit designations and MOC', form: creditForm,
    async save({ service, req, res, activity }) {
      const r = parseCredit(req.body, activity.learningFormat);
      if (!r.ok) return r.errors;
      const refused = await service.replaceCredit(res.locals.launch!, activity.id, r.value);
      return refused.length ? refused : null;
    },
  },
  requirements: {
    view: 'builder/requirements', title: 'Post-test, pre-test, evaluation and time', form: requirementsForm,
    locals: (activity) => ({ frozenQuestions: frozenQuestionsOf(activity) }),
    async save({ service, req, res, activity }) {
      const r = parseRequirements(req.body, activity);
      if (!r.ok) return r.errors;
      await service.updateRequirements(res.locals.launch!, activity.id, r.value);
      return null;
    },
  },
  content: {
    view: 'builder/content', title: 'Content', form: contentForm,
    async save({ service, req, res, activity }) {
      const r = parseContent(req.body);
      if (!r.ok) return r.errors;
      await service.updateContent(res.locals.launch!, activity.id, r.value);
      return null;
    },
  },
  statements: {
    view: 'builder/statements', title: 'Statements', form: statementsForm,
    async save({ service, req, res, activity }) {
      const r = parseStatements(req.body);
      if (!r.ok) return r.errors;
      const refused = await service.saveStatements(res.locals.launch!, activity.id, r.value);
      return refused.length ? refused : null;
    },
  },
};

export function builderRouter(options: BuilderRouteOptions): Router {
  const { service } = options;
  const r = Router();
  const render = renderer(options.views);
  const builder = [express.urlencoded({ extended: true, limit: '512kb', parameterLimit: 2000 }), options.requireSession(BUILDER_ROLES)];
  const back = (res: Response, path: string) => res.redirect(303, `${path}${path.includes('?') ? '&' : '?'}s=${encodeURIComponent(res.locals.sessionToken!)}`);

  const home = async (res: Response, locals: Record<string, unknown> = {}, status = 200) => {
    const activities = (await service.list(res.locals.launch!)).map((a) => ({ ...a, formatLabel: FORMAT_LABELS[a.learningFormat] }));
    render(res, 'builder/home', 'Course builder', { activities, newForm: detailsForm({ body: {} }), ...locals }, status);
  };
  r.get('/builder', ...builder, async (_req, res) => home(res));

  r.post('/builder/activities', ...builder, async (req, res) => {
    const parsed = parseNewActivity(req.body);
    if (!parsed.ok) return home(res, { errors: parsed.errors, newForm: detailsForm({ body: req.body }) }, 400);
    const a = await service.create(res.locals.launch!, parsed.value);
    back(res, `/builder/activities/${a.id}`);
  });

  const overview = async (res: Response, activity: Activity, locals: Record<string, unknown> = {}, status = 200) => {
    render(res, 'builder/activity', activity.title, { activity, overview: overviewOf(activity, service.statementProblems(activity)), ...locals }, status);
  };
  r.get('/builder/activities/:id', ...builder, async (req, res) => {
    const a = await service.forBuilder(res.locals.launch!, String(req.params.id));
    await overview(res, a, { saved: typeof req.query.saved === 'string' ? req.query.saved : undefined });
  });

  r.post('/builder/activities/:id/publish', ...builder, async (req, res) => {
    const problems = await service.publish(res.locals.launch!, String(req.params.id));
    const a = await service.forBuilder(res.locals.launch!, String(req.params.id));
    if (problems.length) return overview(res, a, { errors: problems, publishFailed: true }, 400);
    back(res, `/builder/activities/${a.id}?saved=published`);
  });

  r.get('/builder/activities/:id/:section', ...builder, async (req, res) => {
    const section = SECTIONS[String(req.params.section)];
    if (!section) throw new NotFoundError('There is no such section.');
    const activity = await service.forBuilder(res.locals.launch!, String(req.params.id));
    render(res, section.view, section.title, { activity, form: section.form({ activity }), frozen: activity.learnerStartedAt !== null, ...section.locals?.(activity) });
  });

  r.post('/builder/activities/:id/:section', ...builder, async (req, res) => {
    const section = SECTIONS[String(req.params.section)];
    if (!section) throw new NotFoundError('There is no such section.');
    const activity = await service.forBuilder(res.locals.launch!, String(req.params.id));
    const errors = await section.save({ service, req, res, activity });
    if (errors) {
      return render(res, section.view, section.title, {
        activity, form: section.form({ body: bodyOf(req.body) }), errors, frozen: activity.learnerStartedAt !== null, ...section.locals?.(activity),
      }, 400);
    }
    back(res, `/builder/activities/${activity.id}?saved=${String(req.params.section)}`);
  });

  return r;
}
