/**
 * What a launch credential may do (pure). Content launched by Accrue gets the xAPI launch parameters (endpoint,
 * auth, actor, registration: the "Tin Can launch" convention that TinCanJS reads from its URL; cmi5 §8.1 passes the
 * same facts). Its credential is limited to one learner and one activity:
 * - it stores only statements whose actor is the learner (by IFI) and whose object, or one of whose context
 *   activities, is the activity or an IRI under it; it may not void (a StatementRef target is not its activity);
 * - it reads only the statements it stored (scope statements/read/mine);
 * - it uses State documents only for that learner and activity (no profiles);
 * - it stops working at its expiry;
 * - the content's own query parameters (TinCanJS passes every non-launch parameter of its URL on to the LRS as
 *   "extended" parameters) are ignored on its requests rather than refused as unknown.
 */
import { ForbiddenError } from '../../errors';
import type { CredentialLimits } from '../credentials';
import { agentKey, type JsonObject } from '../model';
import { parseAgentParam } from '../params';
import { isObject } from '../validate/primitives';
import { VOIDED_VERB } from '../validate/statement';

export interface LaunchGrant {
  agentKey: string;
  activityId: string;
  registration: string | null;
  expiresAt: number;
  /** The content URL's own query parameters (name, value), which the content's TinCanJS sends with every request. */
  contentParams: [string, string][];
}

export const LAUNCH_SCOPES = ['statements/write', 'statements/read/mine', 'state'] as const;

/** What TinCanJS reads itself from a launch URL (its reserved names); it passes the rest on to the LRS. */
const LAUNCH_PARAMS = new Set(['endpoint', 'auth', 'actor', 'activity_id', 'activity_platform', 'registration', 'grouping']);

/** The query parameters of a content URL other than launch parameters, as (name, value) pairs. */
export function contentParamsOf(contentUrl: string): [string, string][] {
  let u: URL;
  try {
    u = new URL(contentUrl);
  } catch {
    return [];
  }
  return [...u.searchParams].filter(([k]) => !LAUNCH_PARAMS.has(k));
}

/** True when `iri` is `base` or a path, fragment or query under it (".../course" covers ".../course/q1", "#q1"). */
export function isUnder(iri: string, base: string): boolean {
  if (iri === base) return true;
  if (!iri.startsWith(base)) return false;
  if (/[/#?]$/.test(base)) return true;
  return ['/', '#', '?'].includes(iri[base.length]!);
}

function contextActivityIds(statement: JsonObject): string[] {
  const ctx = statement.context;
  if (!isObject(ctx) || !isObject(ctx.contextActivities)) return [];
  const ids: string[] = [];
  for (const v of Object.values(ctx.contextActivities)) for (const a of Array.isArray(v) ? v : [v]) if (isObject(a) && typeof a.id === 'string') ids.push(a.id);
  return ids;
}

/** Why a statement is refused for this grant, or undefined when it is allowed. */
export function statementRefusal(statement: JsonObject, grant: LaunchGrant): string | undefined {
  const actor = isObject(statement.actor) ? statement.actor : undefined;
  if (!actor || actor.objectType === 'Group' || agentKey(actor) !== grant.agentKey) {
    return 'This launch credential stores only statements whose actor is the launched learner.';
  }
  const verb = isObject(statement.verb) ? statement.verb.id : undefined;
  if (verb === VOIDED_VERB) return 'This launch credential may not void statements.';
  const object = isObject(statement.object) ? statement.object : undefined;
  const objectIsActivity = object && (object.objectType === undefined || object.objectType === 'Activity') && typeof object.id === 'string';
  if (objectIsActivity && isUnder(object.id as string, grant.activityId)) return undefined;
  if (contextActivityIds(statement).some((id) => isUnder(id, grant.activityId))) return undefined;
  return 'This launch credential stores only statements about its launched activity (as object or context activity).';
}

/** Why a request (other than storing statements) is refused for this grant, or undefined when it is allowed. */
export function requestRefusal(req: { method: string; path: string; params: Map<string, string> }, grant: LaunchGrant): string | undefined {
  if (req.path === '/statements' || req.path === '/activities' || req.path === '/agents') return undefined;
  if (req.path !== '/activities/state') return 'A launch credential may use only the Statement and State resources.';
  const agent = req.params.get('agent');
  if (agent !== undefined && parseAgentParam(agent, 'agent', { allowGroup: false }).key !== grant.agentKey) {
    return 'This launch credential may use State documents only of the launched learner.';
  }
  const activityId = req.params.get('activityId');
  if (activityId !== undefined && !isUnder(activityId, grant.activityId)) {
    return 'This launch credential may use State documents only of its launched activity.';
  }
  return undefined;
}

/** The limits the LRS checks for a launch credential, on top of its scopes. */
export function launchLimits(grant: LaunchGrant): CredentialLimits {
  return {
    expiresAt: grant.expiresAt,
    ignoredParams: grant.contentParams,
    statements(list) {
      for (const s of list) {
        const why = statementRefusal(s, grant);
        if (why) throw new ForbiddenError(why, 'XAPI_LAUNCH_SCOPE');
      }
    },
    request(req) {
      const why = requestRefusal(req, grant);
      if (why) throw new ForbiddenError(why, 'XAPI_LAUNCH_SCOPE');
    },
  };
}
