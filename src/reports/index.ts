/**
 * Reports feature face: rosters (with the LMS's own roster through NRPS), transcripts (CSV, PDF), the ACCME PARS
 * learner-completion and NABP CPE Monitor files, and outcomes, for registrars; the learner's own transcript.
 * Glossary: Export = one file produced and recorded with its claims; Submission = an export to a reporting target
 * (a claim goes to a target once, unless corrected); Transcript = a copy of awarded claims (reports nothing);
 * Scope = what a registrar may see (their course, or the whole provider).
 */
import type { RequestHandler, Router } from 'express';
import type { ActivityService } from '../activities';
import type { Config } from '../config';
import type { Db } from '../db';
import type { AppRole, NrpsClient } from '../lti';
import type { ViewEngine } from '../web/views';
import type { Exporter } from './exporter';
import { createExporter } from './factory';
import { reportRouter } from './routes';
import { ReportService } from './service';
import { ReportStore } from './store';

export { Exporter } from './exporter';
export { createExporter } from './factory';
export { ReportStore } from './store';
export { reportCommands } from './cli';
export type { Scope } from './scope';


export function createReports(o: {
  db: Db; config: Config; secret: string; views: ViewEngine; activities: ActivityService; nrps: NrpsClient | null;
  requireSession: (roles?: AppRole[]) => RequestHandler;
  /** Token-only check (no database read) for the progress poll; without it the poll uses requireSession. */
  requireToken?: () => RequestHandler;
}): { service: ReportService; exporter: Exporter; router: Router } {
  const store = new ReportStore(o.db);
  const service = new ReportService({ store, activities: o.activities, nrps: o.nrps, providerAdmins: o.config.providerAdmins });
  const exporter = createExporter(o);
  return { service, exporter, router: reportRouter({ service, exporter, views: o.views, requireSession: o.requireSession, requireToken: o.requireToken }) };
}
