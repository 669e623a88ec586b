/**
 * Statement validation (xAPI 1.0.3 Part 2 §2, 2.0.0 / IEEE 9274.1.1 §5.2). Pure: returns nothing, throws a
 * StatementError (400) naming the first offending property. The family decides the 2.0-only parts:
 * context.contextAgents / contextGroups exist only in 2.0; statement "version" must match the family.
 */
import { validateActivity, validateContextActivities } from './activity';
import { validateActor, validateAgent, validateGroup } from './agent';
import {
  expectBoolean, expectDuration, expectExtensions, expectIri, expectIrl, expectLanguageMap, expectObject, expectString,
  expectTimestamp, expectUuid, fail, isLanguageTag, isObject, isSha2, type Family, type JsonObject,
} from './primitives';

export const VOIDED_VERB = 'http://adlnet.gov/expapi/verbs/voided';
export const SIGNATURE_USAGE = 'http://adlnet.gov/expapi/attachments/signature';

const STATEMENT_KEYS = ['id', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'stored', 'authority', 'version', 'attachments', 'objectType'];
const SUB_KEYS = ['objectType', 'actor', 'verb', 'object', 'result', 'context', 'timestamp', 'attachments'];

function validateVerb(value: unknown, path: string): JsonObject {
  const verb = expectObject(value, path, ['id', 'display']);
  if (!('id' in verb)) fail(`${path}.id`, 'is required');
  expectIri(verb.id, `${path}.id`);
  if ('display' in verb) expectLanguageMap(verb.display, `${path}.display`);
  return verb;
}

function validateStatementRef(value: unknown, path: string): JsonObject {
  const ref = expectObject(value, path, ['objectType', 'id']);
  if (ref.objectType !== 'StatementRef') fail(`${path}.objectType`, 'must be "StatementRef"');
  expectUuid(ref.id, `${path}.id`);
  return ref;
}

function validateObject(value: unknown, path: string, options: { family: Family; inSub: boolean }): JsonObject {
  if (!isObject(value)) fail(path, 'must be an object');
  const type = (value as JsonObject).objectType;
  if (type === undefined || type === 'Activity') return validateActivity(value, path);
  if (type === 'Agent') return validateAgent(value, path);
  if (type === 'Group') return validateGroup(value, path);
  if (type === 'StatementRef') return validateStatementRef(value, path);
  if (type === 'SubStatement') {
    // A SubStatement must not contain a SubStatement (1.0.3 §2.4.4.3, 2.0.0 §5.2.2.3.4).
    if (options.inSub) fail(`${path}.objectType`, 'a SubStatement cannot contain a SubStatement');
    validateStatementBody(value, path, { family: options.family, sub: true });
    return value as JsonObject;
  }
  return fail(`${path}.objectType`, 'must be Activity, Agent, Group, StatementRef or SubStatement');
}

function validateScore(value: unknown, path: string): void {
  const score = expectObject(value, path, ['scaled', 'raw', 'min', 'max']);
  for (const [k, v] of Object.entries(score)) if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${path}.${k}`, 'must be a number');
  const { scaled, raw, min, max } = score as Record<string, number | undefined>;
  if (scaled !== undefined && (scaled < -1 || scaled > 1)) fail(`${path}.scaled`, 'must be between -1 and 1');
  if (min !== undefined && max !== undefined && min >= max) fail(`${path}.min`, 'must be less than max');
  if (raw !== undefined && min !== undefined && raw < min) fail(`${path}.raw`, 'must not be less than min');
  if (raw !== undefined && max !== undefined && raw > max) fail(`${path}.raw`, 'must not be greater than max');
}

function validateResult(value: unknown, path: string): void {
  const result = expectObject(value, path, ['score', 'success', 'completion', 'response', 'duration', 'extensions']);
  if ('score' in result) validateScore(result.score, `${path}.score`);
  if ('success' in result) expectBoolean(result.success, `${path}.success`);
  if ('completion' in result) expectBoolean(result.completion, `${path}.completion`);
  if ('response' in result) expectString(result.response, `${path}.response`);
  if ('duration' in result) expectDuration(result.duration, `${path}.duration`);
  if ('extensions' in result) expectExtensions(result.extensions, `${path}.extensions`);
}

function validateRelevantTypes(value: unknown, path: string): void {
  if (!Array.isArray(value) || value.length === 0) fail(path, 'must be a non-empty array of IRIs');
  (value as unknown[]).forEach((t, i) => expectIri(t, `${path}[${i}]`));
}

function validateContext(value: unknown, path: string, options: { family: Family; objectIsActivity: boolean }): void {
  const keys = ['registration', 'instructor', 'team', 'contextActivities', 'revision', 'platform', 'language', 'statement', 'extensions'];
  if (options.family === '2.0') keys.push('contextAgents', 'contextGroups');
  const ctx = expectObject(value, path, keys);
  if ('registration' in ctx) expectUuid(ctx.registration, `${path}.registration`);
  if ('instructor' in ctx) validateActor(ctx.instructor, `${path}.instructor`);
  if ('team' in ctx) validateGroup(ctx.team, `${path}.team`);
  if ('contextActivities' in ctx) validateContextActivities(ctx.contextActivities, `${path}.contextActivities`);
  // revision and platform describe an Activity; they are refused for other objects (1.0.3 §2.4.6, 2.0.0 §5.2.2.5).
  if ('revision' in ctx) {
    expectString(ctx.revision, `${path}.revision`);
    if (!options.objectIsActivity) fail(`${path}.revision`, 'is only allowed when the object is an Activity');
  }
  if ('platform' in ctx) {
    expectString(ctx.platform, `${path}.platform`);
    if (!options.objectIsActivity) fail(`${path}.platform`, 'is only allowed when the object is an Activity');
  }
  if ('language' in ctx && !isLanguageTag(ctx.language)) fail(`${path}.language`, 'must be an RFC 5646 language tag');
  if ('statement' in ctx) validateStatementRef(ctx.statement, `${path}.statement`);
  if ('extensions' in ctx) expectExtensions(ctx.extensions, `${path}.extensions`);
  if ('contextAgents' in ctx) {
    if (!Array.isArray(ctx.contextAgents)) fail(`${path}.contextAgents`, 'must be an array');
    (ctx.contextAgents as unknown[]).forEach((c, i) => {
      const p = `${path}.contextAgents[${i}]`;
      const item = expectObject(c, p, ['objectType', 'agent', 'relevantTypes']);
      if (item.objectType !== 'contextAgent') fail(`${p}.objectType`, 'must be "contextAgent"');
      validateAgent(item.agent, `${p}.agent`);
      if ('relevantTypes' in item) validateRelevantTypes(item.relevantTypes, `${p}.relevantTypes`);
    });
  }
  if ('contextGroups' in ctx) {
    if (!Array.isArray(ctx.contextGroups)) fail(`${path}.contextGroups`, 'must be an array');
    (ctx.contextGroups as unknown[]).forEach((c, i) => {
      const p = `${path}.contextGroups[${i}]`;
      const item = expectObject(c, p, ['objectType', 'group', 'relevantTypes']);
      if (item.objectType !== 'contextGroup') fail(`${p}.objectType`, 'must be "contextGroup"');
      validateGroup(item.group, `${p}.group`);
      if ('relevantTypes' in item) validateRelevantTypes(item.relevantTypes, `${p}.relevantTypes`);
    });
  }
}

export function validateAttachments(value: unknown, path: string): void {
  if (!Array.isArray(value)) fail(path, 'must be an array');
  (value as unknown[]).forEach((a, i) => {
    const p = `${path}[${i}]`;
    const att = expectObject(a, p, ['usageType', 'display', 'description', 'contentType', 'length', 'sha2', 'fileUrl']);
    for (const k of ['usageType', 'display', 'contentType', 'length', 'sha2']) if (!(k in att)) fail(`${p}.${k}`, 'is required');
    expectIri(att.usageType, `${p}.usageType`);
    expectLanguageMap(att.display, `${p}.display`);
    if ('description' in att) expectLanguageMap(att.description, `${p}.description`);
    if (typeof att.contentType !== 'string' || !/^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/.test(att.contentType)) fail(`${p}.contentType`, 'must be an Internet Media Type');
    if (typeof att.length !== 'number' || !Number.isInteger(att.length) || att.length < 0) fail(`${p}.length`, 'must be a non-negative integer');
    if (!isSha2(att.sha2)) fail(`${p}.sha2`, 'must be the hex SHA-2 of the attachment');
    if ('fileUrl' in att) expectIrl(att.fileUrl, `${p}.fileUrl`);
  });
}

function validateAuthority(value: unknown, path: string): void {
  if (isObject(value) && value.objectType === 'Group') {
    // A Group authority is the OAuth pair: an anonymous Group of exactly two Agents (1.0.3 §2.4.9, 2.0.0 §5.2.4.2).
    const group = validateGroup(value, path);
    if (['mbox', 'mbox_sha1sum', 'openid', 'account'].some((k) => k in group)) fail(path, 'a Group authority must be anonymous');
    if (!Array.isArray(group.member) || group.member.length !== 2) fail(`${path}.member`, 'a Group authority has exactly two Agents');
    return;
  }
  validateAgent(value, path);
}

const VERSION = { '1.0': /^1\.0(\.\d+)?$/, '2.0': /^(1\.0|2\.0)(\.\d+)?$/ } as const;

function validateStatementBody(value: unknown, path: string, options: { family: Family; sub: boolean }): void {
  const stmt = expectObject(value, path, options.sub ? SUB_KEYS : STATEMENT_KEYS);
  const at = (k: string) => (path ? `${path}.${k}` : k);
  if (!options.sub && 'objectType' in stmt) fail(at('objectType'), 'is not a Statement property');
  for (const k of ['actor', 'verb', 'object']) if (!(k in stmt)) fail(at(k), 'is required');
  if (!options.sub && 'id' in stmt) expectUuid(stmt.id, at('id'));
  validateActor(stmt.actor, at('actor'));
  const verb = validateVerb(stmt.verb, at('verb'));
  const object = validateObject(stmt.object, at('object'), { family: options.family, inSub: options.sub });
  if (verb.id === VOIDED_VERB && object.objectType !== 'StatementRef') {
    fail(at('object'), 'of a voiding statement must be a StatementRef');
  }
  if ('result' in stmt) validateResult(stmt.result, at('result'));
  const objectIsActivity = object.objectType === undefined || object.objectType === 'Activity';
  if ('context' in stmt) validateContext(stmt.context, at('context'), { family: options.family, objectIsActivity });
  if ('timestamp' in stmt) expectTimestamp(stmt.timestamp, at('timestamp'), options.family);
  if ('attachments' in stmt) validateAttachments(stmt.attachments, at('attachments'));
  if (options.sub) return;
  if ('stored' in stmt) expectTimestamp(stmt.stored, at('stored'), options.family);
  if ('authority' in stmt) validateAuthority(stmt.authority, at('authority'));
  if ('version' in stmt && (typeof stmt.version !== 'string' || !VERSION[options.family].test(stmt.version))) {
    fail(at('version'), options.family === '2.0' ? 'must be 1.0.x or 2.0.x' : 'must be 1.0 or 1.0.x');
  }
}

/** Validates one statement as received at the Statement Resource. */
export function validateStatement(value: unknown, options: { family: Family }): JsonObject {
  validateStatementBody(value, '', { family: options.family, sub: false });
  return value as JsonObject;
}
