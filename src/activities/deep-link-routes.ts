/**
 * Deep linking (LTI-DL 2.0): from the LMS's "add external tool" flow the builder picks an activity of the course
 * or creates one, and Accrue returns it as an LTI resource link (with an AGS line item) in a signed response that
 * the browser posts back to the platform.
 */
import express, { Router, type RequestHandler, type Response } from 'express';
import type { AppRole, LaunchContext, ResourceLinkItem } from '../lti';
import { ValidationError } from '../errors';
import type { ViewEngine } from '../web/views';
import { bodyOf } from '../web/form-parsing';
import { detailsForm } from './form-models';
import { parseNewActivity } from './forms';
import { FORMAT_LABELS, type Activity } from './model';
import { BUILDER_ROLES, renderer } from './routes';
import type { ActivityService } from './service';

export interface DeepLinkRouteOptions {
  service: ActivityService;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  /** Signs the response (the LTI feature, which alone holds the tool keys). */
  deepLinkingResponse: (launch: LaunchContext, items: ResourceLinkItem[]) => Promise<string>;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function deepLinkRouter(options: DeepLinkRouteOptions): Router {
  const { service } = options;
  const r = Router();
  const render = renderer(options.views);
  const deepLinkingOnly: RequestHandler = (_req, res, next) => {
    if (res.locals.launch?.messageType !== 'LtiDeepLinkingRequest') {
      return next(new ValidationError('This page answers the LMS\'s "add external tool" request; open it from there.', undefined, 'NOT_DEEP_LINKING'));
    }
    next();
  };
  const guard = [express.urlencoded({ extended: true, limit: '64kb', parameterLimit: 100 }), options.requireSession(BUILDER_ROLES), deepLinkingOnly];

  const picker = async (res: Response, locals: Record<string, unknown> = {}, status = 200) => {
    const launch = res.locals.launch!;
    const activities = (await service.list(launch)).map((a) => ({ ...a, formatLabel: FORMAT_LABELS[a.learningFormat] }));
    render(res, 'builder/deep-link', 'Add an activity', { activities, newForm: detailsForm({ body: {} }), ...locals }, status);
  };

  /** The platform's own return page takes over: a minimal page whose form the browser submits at once. */
  const respond = async (res: Response, activity: Activity) => {
    const form = await options.deepLinkingResponse(res.locals.launch!, [service.contentItem(activity)]);
    res.type('html').send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Returning to your course</title></head>` +
      `<body><main><h1>Returning to your course</h1><p>Placing “${escapeHtml(activity.title)}” in your course…</p>${form}</main></body></html>`);
  };

  r.get('/builder/deep-link', ...guard, async (_req, res) => picker(res));

  r.post('/builder/deep-link/select', ...guard, async (req, res) => {
    const id = bodyOf(req.body).activityId;
    if (typeof id !== 'string' || !id) return picker(res, { errors: [{ field: 'activityId', message: 'Choose the activity to place.' }] }, 400);
    await respond(res, await service.forBuilder(res.locals.launch!, id));
  });

  r.post('/builder/deep-link/create', ...guard, async (req, res) => {
    const parsed = parseNewActivity(req.body);
    if (!parsed.ok) return picker(res, { errors: parsed.errors, newForm: detailsForm({ body: req.body }) }, 400);
    await respond(res, await service.create(res.locals.launch!, parsed.value));
  });

  return r;
}
