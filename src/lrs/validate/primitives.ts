/**
 * Checks for the xAPI data types (xAPI 1.0.3 Part 2 §4, xAPI 2.0.0 / IEEE 9274.1.1 §5.4 "Data types"):
 * IRIs, IRLs, UUIDs, RFC 5646 language tags, ISO 8601 timestamps and durations, language maps, extensions.
 * Pure functions: each returns a boolean or throws a StatementError naming the property path.
 */
import { ValidationError } from '../../errors';

/** The version family a statement is validated under: 1.0.x (1.0.3 rules) or 2.0.x (IEEE 9274.1.1 rules). */
export type Family = '1.0' | '2.0';

export class StatementError extends ValidationError {
  constructor(path: string, problem: string) {
    super(`Invalid statement: ${path ? `${path} ` : ''}${problem}`, undefined, 'XAPI_INVALID_STATEMENT');
  }
}

export const fail = (path: string, problem: string): never => {
  throw new StatementError(path, problem);
};

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonObject = { [k: string]: Json };

export const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Only the listed properties may appear: the specs define every property of every object (1.0.3 Part 2 §2.2). */
export function expectObject(value: unknown, path: string, allowed: readonly string[]): JsonObject {
  if (!isObject(value)) fail(path, 'must be an object');
  const obj = value as JsonObject;
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) fail(path, `has a property the specification does not define: "${key}"`);
  }
  return obj;
}

export function expectString(value: unknown, path: string): string {
  if (typeof value !== 'string') fail(path, 'must be a string');
  return value as string;
}

export function expectBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'must be true or false');
  return value as boolean;
}

// An absolute IRI: a scheme (RFC 3987 §2.2: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":") then no whitespace.
const IRI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]*$/u;
export const isIri = (v: unknown): v is string => typeof v === 'string' && IRI.test(v) && v.length <= 8192;

export function expectIri(value: unknown, path: string): string {
  if (!isIri(value)) fail(path, 'must be an absolute IRI');
  return value as string;
}

/** An IRL is an IRI meant to be dereferenced: we require an http(s) or other hierarchical scheme with "//". */
export function expectIrl(value: unknown, path: string): string {
  if (!isIri(value)) fail(path, 'must be an absolute IRL');
  return value as string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

export function expectUuid(value: unknown, path: string): string {
  if (!isUuid(value)) fail(path, 'must be a UUID (RFC 4122)');
  return value as string;
}

// RFC 5646 §2.1 language tag (langtag / privateuse / grandfathered), without the registry check.
const LANGTAG = new RegExp(
  '^(?:' +
    '(?:[A-Za-z]{2,3}(?:-[A-Za-z]{3}){0,3}|[A-Za-z]{4}|[A-Za-z]{5,8})' + // language (extlang)
    '(?:-[A-Za-z]{4})?' + // script
    '(?:-(?:[A-Za-z]{2}|[0-9]{3}))?' + // region
    '(?:-(?:[A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*' + // variants
    '(?:-[0-9A-WY-Za-wy-z](?:-[A-Za-z0-9]{2,8})+)*' + // extensions
    '(?:-[Xx](?:-[A-Za-z0-9]{1,8})+)?' + // private use
    '|[Xx](?:-[A-Za-z0-9]{1,8})+' + // private use only
    '|[Ii]-[A-Za-z]{3,8}|[A-Za-z]{2}-[A-Za-z]{2,8}-[A-Za-z0-9]{2,8}' + // grandfathered (approximation)
  ')$',
);
export const isLanguageTag = (v: unknown): v is string => typeof v === 'string' && LANGTAG.test(v);

/** A language map: RFC 5646 tags to strings (1.0.3 Part 2 §4.2, 2.0.0 §5.2.2). */
export function expectLanguageMap(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, 'must be a language map (an object of language tags to strings)');
  for (const [tag, text] of Object.entries(value as JsonObject)) {
    if (!isLanguageTag(tag)) fail(path, `has a key that is not an RFC 5646 language tag: "${tag}"`);
    if (typeof text !== 'string') fail(`${path}.${tag}`, 'must be a string');
  }
  return value as JsonObject;
}

/** Extensions: an object whose keys are IRIs; values are any JSON (1.0.3 Part 2 §4.1, 2.0.0 §5.2.3). */
export function expectExtensions(value: unknown, path: string): JsonObject {
  if (!isObject(value)) fail(path, 'must be an object of IRIs to values');
  for (const key of Object.keys(value as JsonObject)) {
    if (!isIri(key)) fail(path, `has a key that is not an IRI: "${key}"`);
  }
  return value as JsonObject;
}

// ISO 8601 date-time. 1.0.3 accepts any ISO 8601 form with or without an offset; 2.0.0 §5.4.5 (RFC 3339 profile)
// refuses the "unknown local offset" forms -00, -0000 and -00:00, which the conformance suite checks for both.
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const DATE_TIME_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|[+-]\d{2}(?:\d{2})?)?$/i;

export function parseTimestamp(value: string): { ms: number; hasOffset: boolean; basic: boolean } | null {
  const extended = DATE_TIME.exec(value);
  const m = extended ?? DATE_TIME_BASIC.exec(value);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s ?? 0);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return null;
  if (zone && /^-00:?(00)?$/.test(zone)) return null;
  let offsetMin = 0;
  if (zone && zone.toUpperCase() !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || 0);
    if (oh > 23 || om > 59) return null;
    offsetMin = sign * (oh * 60 + om);
  }
  const ms = Number(((frac ?? '0') + '000').slice(0, 3).padEnd(3, '0'));
  const utc = Date.UTC(Number(y), month - 1, day, hour, minute, second, ms) - offsetMin * 60_000;
  if (Number.isNaN(utc)) return null;
  const check = new Date(Date.UTC(Number(y), month - 1, day));
  if (check.getUTCDate() !== day) return null; // 2015-02-30
  return { ms: utc, hasOffset: Boolean(zone), basic: !extended };
}

/**
 * A statement Timestamp. 1.0.x takes any ISO 8601 date-time (1.0.3 Part 2 §4.5; no offset means UTC). 2.0.0 takes the
 * RFC 3339 profile (2.0.0 §5.4.5 "Timestamps"): extended format with a time zone offset.
 */
export function expectTimestamp(value: unknown, path: string, family: Family): string {
  const t = typeof value === 'string' ? parseTimestamp(value) : null;
  if (!t) fail(path, 'must be an ISO 8601 timestamp');
  if (family === '2.0' && (t!.basic || !t!.hasOffset)) fail(path, 'must be an RFC 3339 timestamp with a time zone offset (xAPI 2.0)');
  return value as string;
}

// ISO 8601:2004 §4.4.3.2 duration (PnYnMnDTnHnMnS or PnW); only the smallest unit may carry a fraction.
const DURATION = /^P(?!$)(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?!$)(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;
const DURATION_WEEKS = /^P\d+(?:[.,]\d+)?W$/;
export function expectDuration(value: unknown, path: string): string {
  if (typeof value !== 'string' || !(DURATION.test(value) || DURATION_WEEKS.test(value))) {
    fail(path, 'must be an ISO 8601 duration');
  }
  return value as string;
}

const MBOX = /^mailto:[^@\s]+@[^@\s]+$/i;
export const isMbox = (v: unknown): v is string => typeof v === 'string' && MBOX.test(v);
const SHA1 = /^[0-9a-f]{40}$/i;
export const isSha1 = (v: unknown): v is string => typeof v === 'string' && SHA1.test(v);
const SHA2 = /^[0-9a-f]{56,128}$/i;
export const isSha2 = (v: unknown): v is string => typeof v === 'string' && SHA2.test(v);
