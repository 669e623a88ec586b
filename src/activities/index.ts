/**
 * Activities feature face: CME activities as the office designates them, the course-builder pages and deep linking.
 * Glossary: Designation = a credit type and maximum fixed before the activity starts (not what a learner gets: that
 * is a Claim, in learning/); MOC registration = board points; Statement = office-typed wording, versioned.
 */
import type { RequestHandler, Router } from 'express';
import type { Db } from '../db';
import type { AppRole, LaunchContext, ResourceLinkItem } from '../lti';
import type { ViewEngine } from '../web/views';
import { deepLinkRouter } from './deep-link-routes';
import { builderRouter } from './routes';
import { ActivityService } from './service';
import { ActivityStore } from './store';

export type {
  Activity, Content, CreditType, Designation, EvaluationQuestion, LearningFormat, MocRegistration, Person, PosttestQuestion, StatementKind,
} from './model';
export { CREDIT_LABELS, FORMAT_LABELS, hasPretest, isEnduring, needsPassMark, statementOf } from './model';
export type { ActivityService } from './service';
export { sanitizeRichText } from './sanitize';

export function createActivities(options: {
  db: Db;
  publicUrl: string;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  deepLinkingResponse: (launch: LaunchContext, items: ResourceLinkItem[]) => Promise<string>;
}): { service: ActivityService; routers: Router[] } {
  const service = new ActivityService(new ActivityStore(options.db), options.publicUrl);
  return {
    service,
    routers: [
      deepLinkRouter({ service, views: options.views, requireSession: options.requireSession, deepLinkingResponse: options.deepLinkingResponse }),
      builderRouter({ service, views: options.views, requireSession: options.requireSession }),
    ],
  };
}
