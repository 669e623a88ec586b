/**
 * What registrars and learners may ask of reports. Every method takes the caller's scope (scope.ts): an activity
 * or learner outside it answers 404, so another course's ids are not revealed. Rosters are synchronised with the
 * LMS through NRPS when older than ROSTER_MAX_AGE (or on request); a failing LMS leaves the last roster shown.
 */
import type { Activity, ActivityService } from '../activities';
import { hasPretest } from '../activities/model';
import { ForbiddenError, NotFoundError } from '../errors';
import type { LaunchContext, NrpsClient } from '../lti';
import { displayName } from './labels';
import type { RosterEntry } from './model';
import { outcomeFacts } from './outcome-store';
import { inScope, scopeOf, type LearnerRef, type Scope } from './scope';
import type { ReportStore, TranscriptFilter } from './store';

const ROSTER_MAX_AGE_MS = 5 * 60_000;
const LEARNER_ROLE = /(^|#|\/)Learner$/;

export class ReportService {
  constructor(private readonly o: { store: ReportStore; activities: ActivityService; nrps: NrpsClient | null; providerAdmins: readonly string[] }) {}

  /** The registrar scope of a launch; 403 for a learner (they have only their own transcript). */
  scope(launch: LaunchContext): Scope {
    const s = scopeOf(launch, this.o.providerAdmins);
    if (!s) throw new ForbiddenError('Reports are for course instructors, administrators and the CME office.', 'NOT_A_REGISTRAR');
    return s;
  }

  activities(scope: Scope) {
    return this.o.store.activities(scope);
  }

  async activity(scope: Scope, id: string): Promise<Activity> {
    const a = await this.o.activities.get(id);
    if (!a || !inScope(scope, a)) throw new NotFoundError('There is no such activity in your reports.', 'ACTIVITY_NOT_FOUND');
    return a;
  }

  async learner(scope: Scope, learner: LearnerRef | null): Promise<LearnerRef> {
    if (!learner || !(await this.o.store.learnerInScope(scope, learner))) throw new NotFoundError('There is no such learner in your reports.', 'LEARNER_NOT_FOUND');
    return learner;
  }

  /** Refreshes the course roster from the LMS (NRPS); returns an error message to show when the LMS failed. */
  async syncRoster(activity: Activity, launch: LaunchContext | null, options: { force: boolean }): Promise<{ syncedAt: Date | null; error: string | null }> {
    const store = this.o.store;
    if (launch?.nrps && launch.platform.id === activity.platformId && launch.context?.id === activity.contextId) {
      await store.rememberContext({ platformId: activity.platformId, contextId: activity.contextId, title: launch.context.title, membershipsUrl: launch.nrps.contextMembershipsUrl });
    }
    const ctx = await store.context(activity.platformId, activity.contextId);
    if (!ctx?.memberships_url || !this.o.nrps) return { syncedAt: ctx?.roster_synced_at ?? null, error: 'The LMS has not offered its roster service (NRPS) for this course, so only learners who launched are listed.' };
    const fresh = ctx.roster_synced_at && Date.now() - ctx.roster_synced_at.getTime() < ROSTER_MAX_AGE_MS;
    if (fresh && !options.force) return { syncedAt: ctx.roster_synced_at, error: null };
    try {
      const members = await this.o.nrps.members(activity.platformId, ctx.memberships_url);
      await store.saveRoster({
        platformId: activity.platformId, contextId: activity.contextId,
        members: members.map((m) => ({ sub: m.userId, roles: m.roles, status: m.status, isLearner: m.roles.some((r) => LEARNER_ROLE.test(r)), name: m.name, givenName: m.givenName, familyName: m.familyName })),
      });
      return { syncedAt: (await store.context(activity.platformId, activity.contextId))?.roster_synced_at ?? null, error: null };
    } catch (err) {
      const message = err instanceof Error && err.name === 'NrpsError' ? err.message : 'The LMS roster could not be read.';
      await store.rosterFailed(activity.platformId, activity.contextId, message);
      return { syncedAt: ctx.roster_synced_at, error: `${message} The roster below is from the last successful synchronisation.` };
    }
  }

  async roster(activity: Activity): Promise<RosterEntry[]> {
    const rows = await this.o.store.db.query<{
      enrollment_id: string | null; platform_id: string; sub: string; step: string | null; registered_at: Date | null; measured_seconds: number;
      disclosures: boolean | null; content: boolean | null; posttest_attempts: number; posttest_best: number | null; posttest_passed: boolean;
      evaluation: boolean | null; claimed: boolean | null; name: string | null; given_name: string | null; family_name: string | null; lms_status: string | null;
      claims: { creditType: string; amount: number; unit: string }[]; pretest_score: number | null;
    }>(this.o.store.rosterSql(), [activity.id, activity.platformId, activity.contextId]);
    return rows.rows.map((r) => ({
      platformId: r.platform_id, sub: r.sub, name: displayName(r, r.sub), launched: r.enrollment_id !== null, lmsStatus: r.lms_status,
      step: r.step, registeredAt: r.registered_at, minutes: Math.floor(Number(r.measured_seconds) / 60), disclosures: !!r.disclosures, content: !!r.content,
      posttest: { attempts: r.posttest_attempts, best: r.posttest_best, passed: r.posttest_passed },
      pretest: hasPretest(activity) && r.pretest_score !== null ? Number(r.pretest_score) : null, evaluation: !!r.evaluation, claimed: !!r.claimed,
      claims: r.claims,
    }));
  }

  outcomes(activity: Activity) {
    return outcomeFacts(this.o.store.db, activity);
  }

  person(learner: LearnerRef) {
    return this.o.store.person(learner);
  }

  /** A transcript for a page: totals and the first `limit` claims (files stream all of them). */
  async transcript(filter: TranscriptFilter, limit: number) {
    const [totals, rows] = await Promise.all([this.o.store.transcriptTotals(filter), this.o.store.transcriptRows(filter, limit)]);
    return { totals, rows };
  }

  exports(scope: Scope, limit: number) {
    return this.o.store.exports({ scope, limit });
  }

  /** An export and its claims, if it was made within the caller's scope (a course sees only its own course's). */
  async export(scope: Scope, id: string) {
    const e = await this.o.store.export(id);
    if (!e || !(scope.kind === 'provider' || (e.scope.platformId === scope.platformId && e.scope.contextId === scope.contextId))) {
      throw new NotFoundError('There is no such export in your reports.', 'EXPORT_NOT_FOUND');
    }
    return { export: e, claims: await this.o.store.exportClaims(e.id, 1000) };
  }
}
