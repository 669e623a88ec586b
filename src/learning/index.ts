/**
 * Learning feature face: the learner's path from launch to claim (profile, disclosures, content with measured time,
 * post-test, evaluation, attestation, claim), recorded as append-only evidence and xAPI statements.
 * Glossary: Enrollment = one learner in one activity; Evidence = what they did; Claim = credit awarded on their
 * attested request (never a grade: grades go to the LMS, credit stays here); registration = the enrollment's xAPI id.
 */
import type { RequestHandler, Router } from 'express';
import type { ActivityService } from '../activities';
import type { Db } from '../db';
import type { AppRole } from '../lti';
import type { ViewEngine } from '../web/views';
import { noXapiCredentials, type XapiCredentialsHook } from './content';
import { PiiCipher } from './pii';
import { learnerRouter } from './routes';
import { LearningService, type AwardHook } from './service';
export type { Award, AwardHook } from './service';
import type { StatementSink } from './sink';
import { LearningStore } from './store';

export type { StatementSink } from './sink';
export { LrsStatementSink, TableStatementSink } from './sink';
export type { XapiCredentialsHook, XapiLaunch } from './content';
export { xapiLaunchUrl } from './content';
export { RULE_VERSION } from './credit';
/** Reports decrypt NABP ids and birth dates while writing an export row (never logged, never stored in clear). */
export { PiiCipher } from './pii';
export type { ProtectedIds, BoardId, StateLicense, Profession } from './model';
export { PROFESSION_LABELS, STEP_LABELS } from './model';

export function createLearning(options: {
  db: Db;
  activities: ActivityService;
  sink: StatementSink;
  secret: string;
  publicUrl: string;
  views: ViewEngine;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  nabpEprofilePattern: string;
  heartbeatSeconds: number;
  heartbeatCapSeconds: number;
  /** xAPI endpoint and a short-lived credential for external content (the LRS's launch credentials); none by default. */
  xapiCredentials?: XapiCredentialsHook;
  /** Whether the launch link's actor carries the learner's name (LRS_LAUNCH_ACTOR_NAME); by default only the LMS account. */
  launchActorName?: boolean;
  /** What an award owes inside its transaction (the LMS score, the certificate). */
  onAward?: AwardHook;
}): { service: LearningService; router: Router } {
  const service = new LearningService({
    store: new LearningStore(options.db), activities: options.activities, sink: options.sink, cipher: new PiiCipher(options.secret),
    publicUrl: options.publicUrl, heartbeatCapSeconds: options.heartbeatCapSeconds, onAward: options.onAward,
  });
  const router = learnerRouter({
    service, views: options.views, requireSession: options.requireSession, publicUrl: options.publicUrl,
    nabpPattern: new RegExp(options.nabpEprofilePattern), heartbeatSeconds: options.heartbeatSeconds,
    xapiCredentials: options.xapiCredentials ?? noXapiCredentials, launchActorName: options.launchActorName ?? false,
  });
  return { service, router };
}
