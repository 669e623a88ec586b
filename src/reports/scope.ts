/**
 * Who may see which records (no I/O). A registrar or CME coordinator reaches reports by an LTI launch:
 * - a provider-wide administrator (configuration `providerAdmins`: `<platform issuer>|<sub>` or an LIS role URI
 *   the launch carries) sees every activity of every course;
 * - an instructor or administrator of a course (LTI course-scoped roles) sees the activities of the course
 *   (platform + context) they launched from, and nothing else;
 * - anyone else sees only their own records (their transcript).
 * Records outside a scope answer 404, so another course's ids are not revealed.
 */
import type { LaunchContext } from '../lti';

export type Scope =
  | { kind: 'provider' }
  | { kind: 'course'; platformId: string; contextId: string };

export function isProviderAdmin(launch: Pick<LaunchContext, 'platform' | 'user' | 'roles'>, providerAdmins: readonly string[]): boolean {
  const who = `${launch.platform.issuer}|${launch.user.sub}`;
  return providerAdmins.some((entry) => entry === who || launch.roles.includes(entry));
}

/** The registrar scope of a launch, or null when the launch gives none (a learner). */
export function scopeOf(launch: LaunchContext, providerAdmins: readonly string[]): Scope | null {
  if (isProviderAdmin(launch, providerAdmins)) return { kind: 'provider' };
  if ((launch.appRole === 'instructor' || launch.appRole === 'admin') && launch.context?.id) {
    return { kind: 'course', platformId: launch.platform.id, contextId: launch.context.id };
  }
  return null;
}

export function inScope(scope: Scope, activity: { platformId: string; contextId: string }): boolean {
  return scope.kind === 'provider' || (scope.platformId === activity.platformId && scope.contextId === activity.contextId);
}

/** SQL parameters of a scope filter `($n::text IS NULL OR (a.platform_id = $n AND a.context_id = $n+1))`. */
export const scopeParams = (scope: Scope): [string | null, string | null] =>
  scope.kind === 'provider' ? [null, null] : [scope.platformId, scope.contextId];

export const describeScope = (scope: Scope) => (scope.kind === 'provider' ? { provider: true } : { platformId: scope.platformId, contextId: scope.contextId });

/** A learner's key in URLs: their platform id and LTI sub, which are not secrets but are kept out of path segments. */
export interface LearnerRef { platformId: string; sub: string }

export const learnerKey = (l: LearnerRef) => Buffer.from(`${l.platformId}\n${l.sub}`, 'utf8').toString('base64url');

export function parseLearnerKey(key: unknown): LearnerRef | null {
  if (typeof key !== 'string' || key.length > 700 || !/^[A-Za-z0-9_-]+$/.test(key)) return null;
  const [platformId, sub, extra] = Buffer.from(key, 'base64url').toString('utf8').split('\n');
  return platformId && sub && extra === undefined ? { platformId, sub } : null;
}
