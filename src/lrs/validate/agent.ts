/**
 * Agents and Groups (xAPI 1.0.3 Part 2 §2.4.2, 2.0.0 §5.2.2.1): exactly one Inverse Functional Identifier (IFI)
 * for an Agent, at most one for a Group; an anonymous Group lists its members; members are Agents, never Groups.
 */
import { expectIrl, expectObject, expectString, fail, isMbox, isSha1, isIri, type JsonObject } from './primitives';

const IFIS = ['mbox', 'mbox_sha1sum', 'openid', 'account'] as const;

function checkIfis(obj: JsonObject, path: string): number {
  let count = 0;
  for (const ifi of IFIS) {
    if (!(ifi in obj)) continue;
    count++;
    const v = obj[ifi];
    if (ifi === 'mbox' && !isMbox(v)) fail(`${path}.mbox`, 'must be a "mailto:" IRI of an email address');
    if (ifi === 'mbox_sha1sum' && !isSha1(v)) fail(`${path}.mbox_sha1sum`, 'must be the hex SHA-1 of a mailto IRI');
    if (ifi === 'openid' && !isIri(v)) fail(`${path}.openid`, 'must be a URI');
    if (ifi === 'account') {
      const account = expectObject(v, `${path}.account`, ['homePage', 'name']);
      if (!('homePage' in account)) fail(`${path}.account`, 'must have a homePage');
      if (!('name' in account)) fail(`${path}.account`, 'must have a name');
      expectIrl(account.homePage, `${path}.account.homePage`);
      expectString(account.name, `${path}.account.name`);
    }
  }
  return count;
}

export function validateAgent(value: unknown, path: string): JsonObject {
  const obj = expectObject(value, path, ['objectType', 'name', ...IFIS]);
  if ('objectType' in obj && obj.objectType !== 'Agent') fail(`${path}.objectType`, 'must be "Agent"');
  if ('name' in obj) expectString(obj.name, `${path}.name`);
  if (checkIfis(obj, path) !== 1) fail(path, 'must have exactly one of mbox, mbox_sha1sum, openid, account');
  return obj;
}

export function validateGroup(value: unknown, path: string): JsonObject {
  const obj = expectObject(value, path, ['objectType', 'name', 'member', ...IFIS]);
  if (obj.objectType !== 'Group') fail(`${path}.objectType`, 'must be "Group"');
  if ('name' in obj) expectString(obj.name, `${path}.name`);
  const ifis = checkIfis(obj, path);
  if (ifis > 1) fail(path, 'must have at most one of mbox, mbox_sha1sum, openid, account');
  if ('member' in obj) {
    if (!Array.isArray(obj.member)) fail(`${path}.member`, 'must be an array of Agents');
    (obj.member as unknown[]).forEach((m, i) => validateAgent(m, `${path}.member[${i}]`));
  }
  if (ifis === 0) {
    // An anonymous Group is known only by its members (1.0.3 §2.4.2.2, 2.0.0 §5.2.2.1 "Anonymous Group").
    if (!Array.isArray(obj.member) || obj.member.length === 0) fail(`${path}.member`, 'is required for an anonymous Group');
  }
  return obj;
}

/** Agent or Group, told apart by objectType (absent means Agent). */
export function validateActor(value: unknown, path: string): JsonObject {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && (value as JsonObject).objectType === 'Group') {
    return validateGroup(value, path);
  }
  return validateAgent(value, path);
}

/** The identifying part of an Agent or Group, for comparisons and keys: its IFI only. */
export function ifiOf(agent: JsonObject): JsonObject | undefined {
  for (const ifi of IFIS) if (ifi in agent) return { [ifi]: agent[ifi]! };
  return undefined;
}
