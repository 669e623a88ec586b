/**
 * Retention rules (pure): who an erasure is about, what happens to each statement that names them, and the
 * criteria fingerprint written to the audit.
 *
 * Erasure policy (an exception to statement immutability, for a data-protection request):
 * - the person is given as an Agent, or as a Person object (arrays, as GET /agents returns) to cover every
 *   identifier they used; an mbox also covers its mbox_sha1sum (xAPI 1.0.3 Part 2 §2.4.2.3);
 * - a statement is DELETED when it is about the person: they are its actor or its object (directly or as a member
 *   of a Group there), or the actor or object of its SubStatement;
 * - a statement that only mentions the person as authority, instructor, team, context agent or context group
 *   (directly or as a member) belongs to someone else: it is KEPT with the person replaced by one pseudonymous
 *   Agent (ERASED_AGENT), so other learners' records, and their credit evidence, survive;
 * - statements voided by a deleted voiding statement are deleted too (otherwise deleting it would un-void them);
 * - the person's State and Agent Profile documents and launch credentials are deleted; copies already forwarded
 *   to external LRSs are out of reach and must be erased there.
 */
import crypto from 'node:crypto';
import { ValidationError } from '../../errors';
import { agentKey, type Json, type JsonObject } from '../model';
import { validateAgent } from '../validate/agent';
import { isObject } from '../validate/primitives';

/** The agent that replaces an erased person where a statement is kept. */
export const erasedAgent = (publicUrl: string): JsonObject => ({ objectType: 'Agent', account: { homePage: `${publicUrl}/`, name: 'erased' } });

const asList = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/**
 * The agent keys (as in lrs_statement_agent) of the person described by `json`: an Agent, or an object listing
 * several identifiers (Person form: each property an array). Throws ValidationError when there is none.
 */
export function subjectKeys(json: string): string[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new ValidationError('--actor must be a JSON Agent, e.g. \'{"mbox":"mailto:ann@example.org"}\'.');
  }
  if (!isObject(value as Json)) throw new ValidationError('--actor must be a JSON object (an Agent, or a Person with arrays of identifiers).');
  const obj = value as JsonObject;
  const keys = new Set<string>();
  const add = (agent: JsonObject) => {
    try {
      validateAgent(agent, 'actor');
    } catch (err) {
      throw new ValidationError(`--actor: ${(err as Error).message}`);
    }
    keys.add(agentKey(agent)!);
    if (typeof agent.mbox === 'string') keys.add(agentKey({ mbox_sha1sum: crypto.createHash('sha1').update(agent.mbox).digest('hex') })!);
  };
  for (const ifi of ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const) for (const v of asList(obj[ifi])) add({ [ifi]: v });
  if (keys.size === 0) throw new ValidationError('--actor must carry at least one identifier: mbox, mbox_sha1sum, openid or account.');
  return [...keys].sort();
}

function matches(agent: Json | undefined, keys: Set<string>): boolean {
  if (!isObject(agent)) return false;
  const key = agentKey(agent);
  if (key && keys.has(key)) return true;
  return Array.isArray(agent.member) && agent.member.some((m) => matches(m, keys));
}

const isAgentLike = (o: Json | undefined) => isObject(o) && (o.objectType === 'Agent' || o.objectType === 'Group');

/** 'delete' when the statement is about the person, 'redact' when it only mentions them, else 'keep'. */
export function erasureAction(statement: JsonObject, keys: Set<string>): 'delete' | 'redact' | 'keep' {
  if (matches(statement.actor, keys)) return 'delete';
  const object = statement.object;
  if (isAgentLike(object) && matches(object, keys)) return 'delete';
  if (isObject(object) && object.objectType === 'SubStatement') {
    if (matches(object.actor, keys) || (isAgentLike(object.object) && matches(object.object, keys))) return 'delete';
  }
  return JSON.stringify(redacted(statement, keys, {})) === JSON.stringify(statement) ? 'keep' : 'redact';
}

/** A copy of the statement with the person replaced by `replacement` wherever it only mentions them. */
export function redacted(statement: JsonObject, keys: Set<string>, replacement: JsonObject): JsonObject {
  const s = structuredClone(statement);
  const swap = (agent: Json | undefined): Json | undefined => {
    if (!isObject(agent)) return agent;
    const key = agentKey(agent);
    if (key && keys.has(key)) {
      if (agent.objectType !== 'Group') return structuredClone(replacement);
      // An identified Group that is the person (rare): keep it a Group, identified by the pseudonym.
      const { mbox: _m, mbox_sha1sum: _s, openid: _o, account: _a, name: _n, ...rest } = agent;
      return { ...rest, account: (replacement.account ?? null) as Json };
    }
    if (Array.isArray(agent.member)) agent.member = agent.member.map((m) => swap(m) as Json);
    return agent;
  };
  const context = (ctx: Json | undefined) => {
    if (!isObject(ctx)) return;
    if (ctx.instructor !== undefined) ctx.instructor = swap(ctx.instructor) as Json;
    if (ctx.team !== undefined) ctx.team = swap(ctx.team) as Json;
    if (Array.isArray(ctx.contextAgents)) for (const c of ctx.contextAgents) if (isObject(c)) c.agent = swap(c.agent) as Json;
    if (Array.isArray(ctx.contextGroups)) for (const c of ctx.contextGroups) if (isObject(c)) c.group = swap(c.group) as Json;
  };
  if (s.authority !== undefined) s.authority = swap(s.authority) as Json;
  context(s.context);
  if (isObject(s.object) && s.object.objectType === 'SubStatement') context(s.object.context);
  return s;
}

/**
 * The audit's fingerprint of a run's criteria: an HMAC under the instance secret, so the audit holds no personal
 * data, yet whoever holds the secret can check whether a given person or date was the subject of a run.
 */
export function criteriaHash(secret: string, criteria: Record<string, unknown>): string {
  const canonical = JSON.stringify(Object.keys(criteria).sort().map((k) => [k, criteria[k]]));
  return crypto.createHmac('sha256', secret).update(canonical).digest('hex');
}
