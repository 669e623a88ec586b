/**
 * How stored statements are shown (xAPI 1.0.3 Part 3 §2.1.3 `format`, 2.0.0 §4.1.6.1): `exact` as stored,
 * `ids` with Agents, Groups, Activities and Verbs reduced to their identifiers, `canonical` with every language
 * map filtered to the one language the client prefers (Accept-Language). Also the downgrade a 1.0.x client gets
 * for a statement stored under 2.0.0. Pure functions over copies.
 */
import { ifiOf } from './validate/agent';
import { isObject, type Json, type JsonObject } from './validate/primitives';

export type Format = 'exact' | 'ids' | 'canonical';

const clone = <T extends Json>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

function idsAgent(agent: Json | undefined): Json | undefined {
  if (!isObject(agent)) return agent;
  const out: JsonObject = {};
  if (agent.objectType) out.objectType = agent.objectType;
  const ifi = ifiOf(agent);
  if (ifi) Object.assign(out, ifi);
  // An anonymous Group is identified by its members (1.0.3 Part 3 §2.1.3 format "ids").
  else if (Array.isArray(agent.member)) out.member = agent.member.map((m) => idsAgent(m) as Json);
  return out;
}

// An Activity in ids form is its id alone (2.0.0 §4.1.6.1 GET Statements, `format` ids).
const idsActivity = (a: Json): Json => (isObject(a) ? { id: a.id! } : a);

function idsContext(ctx: Json | undefined): void {
  if (!isObject(ctx)) return;
  if (ctx.instructor) ctx.instructor = idsAgent(ctx.instructor)!;
  if (ctx.team) ctx.team = idsAgent(ctx.team)!;
  if (isObject(ctx.contextActivities)) {
    for (const [k, v] of Object.entries(ctx.contextActivities)) ctx.contextActivities[k] = Array.isArray(v) ? v.map(idsActivity) : idsActivity(v);
  }
  if (Array.isArray(ctx.contextAgents)) for (const c of ctx.contextAgents) if (isObject(c)) c.agent = idsAgent(c.agent)!;
  if (Array.isArray(ctx.contextGroups)) for (const c of ctx.contextGroups) if (isObject(c)) c.group = idsAgent(c.group)!;
}

function idsBody(s: JsonObject): void {
  s.actor = idsAgent(s.actor)!;
  if (isObject(s.verb)) s.verb = { id: s.verb.id! };
  const o = s.object as JsonObject;
  if (o.objectType === 'Agent' || o.objectType === 'Group') s.object = idsAgent(o)!;
  else if (o.objectType === undefined || o.objectType === 'Activity') s.object = idsActivity(o);
  else if (o.objectType === 'SubStatement') idsBody(o);
  idsContext(s.context);
  if (s.authority) s.authority = idsAgent(s.authority)!;
}

/** Parses Accept-Language into tags by preference (RFC 9110 §12.5.4). */
export function acceptedLanguages(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? '1');
      return { tag: (tag ?? '').trim().toLowerCase(), q: Number.isNaN(q) ? 0 : q, i };
    })
    .filter((x) => x.tag && x.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((x) => x.tag);
}

function pickLanguage(map: Json | undefined, langs: string[]): Json | undefined {
  if (!isObject(map)) return map;
  const keys = Object.keys(map);
  if (keys.length <= 1) return map;
  for (const want of langs) {
    if (want === '*') break;
    const exact = keys.find((k) => k.toLowerCase() === want);
    const prefix = exact ?? keys.find((k) => k.toLowerCase().startsWith(`${want}-`) || want.startsWith(`${k.toLowerCase()}-`));
    if (prefix) return { [prefix]: map[prefix]! };
  }
  const fallback = keys.find((k) => /^en(-|$)/i.test(k)) ?? keys.find((k) => k.toLowerCase() === 'und') ?? keys[0]!;
  return { [fallback]: map[fallback]! };
}

function canonicalDefinition(def: Json | undefined, langs: string[]): void {
  if (!isObject(def)) return;
  if (def.name) def.name = pickLanguage(def.name, langs)!;
  if (def.description) def.description = pickLanguage(def.description, langs)!;
  for (const list of ['choices', 'scale', 'source', 'target', 'steps']) {
    const comps = def[list];
    if (Array.isArray(comps)) for (const c of comps) if (isObject(c) && c.description) c.description = pickLanguage(c.description, langs)!;
  }
}

function canonicalBody(s: JsonObject, langs: string[]): void {
  if (isObject(s.verb) && s.verb.display) s.verb.display = pickLanguage(s.verb.display, langs)!;
  const o = s.object as JsonObject;
  if (o.objectType === undefined || o.objectType === 'Activity') canonicalDefinition(o.definition, langs);
  if (o.objectType === 'SubStatement') canonicalBody(o, langs);
  const ctx = s.context;
  if (isObject(ctx) && isObject(ctx.contextActivities)) {
    for (const v of Object.values(ctx.contextActivities)) for (const a of Array.isArray(v) ? v : [v]) if (isObject(a)) canonicalDefinition(a.definition, langs);
  }
  if (Array.isArray(s.attachments)) {
    for (const a of s.attachments) {
      if (!isObject(a)) continue;
      if (a.display) a.display = pickLanguage(a.display, langs)!;
      if (a.description) a.description = pickLanguage(a.description, langs)!;
    }
  }
}

/** The statement as the client asked to see it. Never mutates the stored object. */
export function formatStatement(statement: JsonObject, options: { format: Format; languages: string[] }): JsonObject {
  if (options.format === 'exact') return statement;
  const s = clone(statement);
  if (options.format === 'ids') idsBody(s);
  else canonicalBody(s, options.languages);
  return s;
}

function dropContextAgents(ctx: Json | undefined): void {
  if (!isObject(ctx)) return;
  delete ctx.contextAgents;
  delete ctx.contextGroups;
}

/**
 * The form a 1.0.x client may read of a statement stored under 2.0.0: context.contextAgents and contextGroups
 * (2.0-only, IEEE 9274.1.1 §5.2.2.5) are removed, in the SubStatement too, and version "2.0.x" becomes "1.0.3".
 * Agents listed only there stay findable by related_agents; a 1.0.x client just does not see them.
 */
export function downgradeTo10(statement: JsonObject): JsonObject {
  const needs = typeof statement.version === 'string' && statement.version.startsWith('2.');
  const ctx = statement.context;
  const sub = isObject(statement.object) && statement.object.objectType === 'SubStatement' ? statement.object : undefined;
  const has2 = (c: Json | undefined) => isObject(c) && ('contextAgents' in c || 'contextGroups' in c);
  if (!needs && !has2(ctx) && !has2(sub?.context)) return statement;
  const s = clone(statement);
  if (needs) s.version = '1.0.3';
  dropContextAgents(s.context);
  if (isObject(s.object) && s.object.objectType === 'SubStatement') dropContextAgents(s.object.context);
  return s;
}
