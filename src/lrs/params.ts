/**
 * Parsing of the resources' query parameters into typed values (xAPI 1.0.3 Part 3 §2, 2.0.0 §4.1.6): agents as
 * JSON Agent/Group objects with an IFI, IRIs, UUIDs, timestamps. Any malformed value is a 400.
 */
import { ValidationError } from '../errors';
import { agentKey, type JsonObject } from './model';
import { validateActor, validateAgent } from './validate/agent';
import { isIri, isUuid, parseTimestamp } from './validate/primitives';

const bad = (name: string, why: string) => new ValidationError(`The parameter ${name} ${why}.`, undefined, 'XAPI_BAD_PARAMETER');

export function parseAgentParam(value: string, name: string, options: { allowGroup: boolean }): { agent: JsonObject; key: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw bad(name, 'must be a JSON Agent object');
  }
  let agent: JsonObject;
  try {
    agent = options.allowGroup ? validateActor(parsed, name) : validateAgent(parsed, name);
  } catch (err) {
    throw bad(name, `is not a valid Agent: ${(err as Error).message}`);
  }
  const key = agentKey(agent);
  if (!key) throw bad(name, 'must identify an Agent or Group by mbox, mbox_sha1sum, openid or account');
  return { agent, key };
}

export function parseIriParam(value: string, name: string): string {
  if (!isIri(value)) throw bad(name, 'must be an IRI');
  return value;
}

export function parseUuidParam(value: string, name: string): string {
  if (!isUuid(value)) throw bad(name, 'must be a UUID');
  return value.toLowerCase();
}

/** An ISO 8601 timestamp, returned as a UTC ISO string with milliseconds. */
export function parseTimestampParam(value: string, name: string): string {
  const t = parseTimestamp(value);
  if (!t) throw bad(name, 'must be an ISO 8601 timestamp');
  return new Date(t.ms).toISOString();
}
