/**
 * The LRS's vocabulary and pure statement logic: agent keys (by Inverse Functional Identifier), the agents and
 * activities a statement is indexed under, preparing a received statement for storage, and the statement
 * comparison used when a statement id arrives twice.
 *
 * Glossary: Statement = one xAPI record (actor, verb, object...); Authority = who vouches for it (here the
 * credential); IFI = the property that identifies an Agent (mbox, mbox_sha1sum, openid, account);
 * core agent/activity = in the statement's actor/object; related = anywhere else in it (context, authority,
 * SubStatement), reached by `related_agents` / `related_activities`.
 */
import { ifiOf } from './validate/agent';
import { isObject, parseTimestamp, type Json, type JsonObject } from './validate/primitives';

export type { Family, Json, JsonObject } from './validate/primitives';

/** A stable string for an Agent or identified Group's IFI; undefined for an anonymous Group. */
export function agentKey(agent: JsonObject): string | undefined {
  const ifi = ifiOf(agent);
  if (!ifi) return undefined;
  const [kind, value] = Object.entries(ifi)[0]!;
  if (kind === 'account') {
    const acc = value as JsonObject;
    return `account:${JSON.stringify([acc.homePage, acc.name])}`;
  }
  if (kind === 'mbox_sha1sum') return `mbox_sha1sum:${String(value).toLowerCase()}`;
  return `${kind}:${String(value)}`;
}

export interface Facets {
  /** agent key -> core (actor/object) or not */
  agents: Map<string, boolean>;
  /** activity id -> core (object) or not */
  activities: Map<string, boolean>;
}

function addAgent(f: Facets, value: Json | undefined, core: boolean): void {
  if (!isObject(value)) return;
  const key = agentKey(value);
  if (key) f.agents.set(key, core || (f.agents.get(key) ?? false));
  // Members of a Group match the agent filter too (1.0.3 Part 3 §2.1.3 "agent": Groups whose members match).
  if (Array.isArray(value.member)) for (const m of value.member) addAgent(f, m, core);
}

function addActivity(f: Facets, value: Json | undefined, core: boolean): void {
  if (!isObject(value) || typeof value.id !== 'string') return;
  f.activities.set(value.id, core || (f.activities.get(value.id) ?? false));
}

function addContext(f: Facets, ctx: Json | undefined): void {
  if (!isObject(ctx)) return;
  addAgent(f, ctx.instructor, false);
  addAgent(f, ctx.team, false);
  if (Array.isArray(ctx.contextAgents)) for (const c of ctx.contextAgents) if (isObject(c)) addAgent(f, c.agent, false);
  if (Array.isArray(ctx.contextGroups)) for (const c of ctx.contextGroups) if (isObject(c)) addAgent(f, c.group, false);
  if (isObject(ctx.contextActivities)) {
    for (const v of Object.values(ctx.contextActivities)) {
      for (const a of Array.isArray(v) ? v : [v]) addActivity(f, a, false);
    }
  }
}

const isActivityObject = (o: JsonObject) => o.objectType === undefined || o.objectType === 'Activity';
const isAgentObject = (o: JsonObject) => o.objectType === 'Agent' || o.objectType === 'Group';

/** Where a statement is found by the agent / activity filters (1.0.3 Part 3 §2.1.3, 2.0.0 §4.1.6.1 GET). */
export function facetsOf(statement: JsonObject): Facets {
  const f: Facets = { agents: new Map(), activities: new Map() };
  addAgent(f, statement.actor, true);
  const object = statement.object as JsonObject;
  if (isAgentObject(object)) addAgent(f, object, true);
  if (isActivityObject(object)) addActivity(f, object, true);
  addAgent(f, statement.authority, false);
  addContext(f, statement.context);
  if (object.objectType === 'SubStatement') {
    addAgent(f, object.actor, false);
    const inner = object.object as JsonObject;
    if (isAgentObject(inner)) addAgent(f, inner, false);
    if (isActivityObject(inner)) addActivity(f, inner, false);
    addContext(f, object.context);
  }
  return f;
}

/** contextActivities values are kept as arrays: the LRS returns a single Activity as an array of one (1.0.3 §2.4.6.2). */
function normaliseContext(ctx: Json | undefined): void {
  if (!isObject(ctx) || !isObject(ctx.contextActivities)) return;
  for (const [k, v] of Object.entries(ctx.contextActivities)) if (!Array.isArray(v)) ctx.contextActivities[k] = [v];
}

/** A millisecond ISO 8601 UTC timestamp: `stored` has millisecond precision (xAPI 2.0.0 §5.2.4.2). */
export const isoMs = (ms: number) => new Date(ms).toISOString();

/**
 * Completes a validated statement for storage: id, stored, timestamp (= stored when absent, 1.0.3 §2.4.7),
 * authority (from the credential when absent), version (the request's when absent). Mutates and returns it.
 */
export function prepareStatement(statement: JsonObject, options: { id: string; stored: string; authority: JsonObject; version: string }): JsonObject {
  statement.id = (statement.id as string | undefined)?.toLowerCase() ?? options.id;
  statement.stored = options.stored;
  if (statement.timestamp === undefined) statement.timestamp = options.stored;
  if (statement.authority === undefined) statement.authority = options.authority;
  if (statement.version === undefined) statement.version = options.version;
  normaliseContext(statement.context);
  if (isObject(statement.object) && statement.object.objectType === 'SubStatement') normaliseContext(statement.object.context);
  return statement;
}

function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k]!)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Durations compare at 0.01 s precision: digits past the hundredths are ignored (2.0.0 §5.4.6, §5.1). */
const truncateDuration = (d: string) => d.replace(/(\d+)[.,](\d+)S$/, (_m, i: string, f: string) => {
  const frac = f.slice(0, 2).replace(/0+$/, '');
  return frac ? `${i}.${frac}S` : `${i}S`;
});

function normaliseResult(result: Json | undefined): void {
  if (isObject(result) && typeof result.duration === 'string') result.duration = truncateDuration(result.duration);
}

/** Deep equality of JSON values, ignoring key order. */
export const sameJson = (a: Json, b: Json) => canonicalJson(a) === canonicalJson(b);

function comparable(statement: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(statement)) as JsonObject;
  // Properties the LRS sets or may change do not make two statements different (2.0.0 §5.1 "Statement Comparison").
  delete copy.stored;
  delete copy.authority;
  delete copy.version;
  delete copy.id;
  normaliseContext(copy.context);
  if (isObject(copy.object) && copy.object.objectType === 'SubStatement') normaliseContext(copy.object.context);
  normaliseResult(copy.result);
  if (isObject(copy.object) && copy.object.objectType === 'SubStatement') normaliseResult(copy.object.result);
  if (typeof copy.timestamp === 'string') copy.timestamp = String(parseTimestamp(copy.timestamp)?.ms ?? copy.timestamp);
  return copy;
}

/** True when a received statement is the same as the stored one with its id (a client's retry). */
export function sameStatement(received: JsonObject, stored: JsonObject): boolean {
  const a = comparable(received);
  const b = comparable(stored);
  if (a.timestamp === undefined) delete b.timestamp;
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * The LRS's definition of an Activity after a statement (xAPI 1.0.3 Part 3 §2.5, 2.0.0 §4.1.6.4): the Activity
 * object carries all the information statements gave about it, so language maps and extensions are merged key by
 * key; other properties take the latest value.
 */
export function mergeDefinition(previous: JsonObject | null, next: JsonObject | null): JsonObject | null {
  if (!next) return previous;
  if (!previous) return next;
  const merged: JsonObject = { ...previous, ...next };
  for (const k of ['name', 'description', 'extensions']) {
    if (isObject(previous[k]) && isObject(next[k])) merged[k] = { ...(previous[k] as JsonObject), ...(next[k] as JsonObject) };
  }
  return merged;
}
