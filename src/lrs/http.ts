/**
 * The LRS's HTTP edge: turns an Express request into an XapiRequest (method, resource path, parameters, headers,
 * raw body), applying the 1.0.x Alternate Request Syntax (1.0.3 Part 3 §1.3: a POST with ?method=X and a form body
 * whose fields carry headers, parameters and `content`), which 2.0.0 removed and we refuse there.
 */
import type { Request } from 'express';
import { ValidationError } from '../errors';
import type { Family } from './model';
import { familyOf } from './version';

export interface XapiRequest {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE' | 'OPTIONS';
  /** resource path under the LRS root, e.g. "/statements" */
  path: string;
  params: Map<string, string>;
  /** lower-case header names */
  headers: Record<string, string | undefined>;
  body: Buffer;
  contentType: string;
  family: Family;
  /** the LRS root as seen by the client, for `more` links (e.g. "/xapi") */
  base: string;
}

const METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'OPTIONS'] as const;
/** Form fields of the Alternate Request Syntax that are headers (1.0.3 Part 3 §1.3 "Alternate Request Syntax"). */
const HEADER_FIELDS = ['authorization', 'x-experience-api-version', 'content-type', 'content-length', 'if-match', 'if-none-match'];

function parseQuery(search: string): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(search)) {
    if (params.has(k)) throw new ValidationError(`The parameter ${k} is given more than once.`, undefined, 'XAPI_BAD_PARAMETER');
    params.set(k, v);
  }
  return params;
}

export function toXapiRequest(req: Request, base: string): XapiRequest {
  const url = new URL(req.originalUrl, 'http://lrs.invalid');
  const path = url.pathname.slice(base.length).replace(/\/+$/, '') || '/';
  let method = req.method.toUpperCase() as XapiRequest['method'];
  if (!(METHODS as readonly string[]).includes(method)) throw new ValidationError(`Method ${method} is not supported.`);
  const params = parseQuery(url.search);
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  let body = Buffer.isBuffer(req.body) ? (req.body as Buffer) : Buffer.alloc(0);

  const alternate = params.get('method');
  if (alternate !== undefined) {
    const headerVersion = headers['x-experience-api-version'];
    if (headerVersion && /^2\./.test(headerVersion.trim())) {
      throw new ValidationError('The Alternate Request Syntax (?method=) is not part of xAPI 2.0.', undefined, 'XAPI_ALTERNATE_SYNTAX');
    }
    if (method !== 'POST') throw new ValidationError('The Alternate Request Syntax must be sent as a POST.', undefined, 'XAPI_ALTERNATE_SYNTAX');
    if (params.size !== 1) throw new ValidationError('With the Alternate Request Syntax, every parameter goes in the form body, not the query.', undefined, 'XAPI_ALTERNATE_SYNTAX');
    const m = alternate.toUpperCase();
    if (!['GET', 'PUT', 'POST', 'DELETE', 'HEAD'].includes(m)) throw new ValidationError(`Alternate Request Syntax method ${alternate} is not supported.`, undefined, 'XAPI_ALTERNATE_SYNTAX');
    if (!/^application\/x-www-form-urlencoded\b/i.test(headers['content-type'] ?? '')) {
      throw new ValidationError('The Alternate Request Syntax needs an application/x-www-form-urlencoded body.', undefined, 'XAPI_ALTERNATE_SYNTAX');
    }
    method = m as XapiRequest['method'];
    params.clear();
    let content: string | undefined;
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
      const lower = k.toLowerCase();
      if (HEADER_FIELDS.includes(lower)) headers[lower] = v;
      else if (k === 'content') content = v;
      else params.set(k, v);
    }
    if ((m === 'PUT' || m === 'POST') && content === undefined && !params.size) {
      throw new ValidationError('The Alternate Request Syntax sends the body in a form field named "content".', undefined, 'XAPI_ALTERNATE_SYNTAX');
    }
    body = Buffer.from(content ?? '', 'utf8');
    if (headers['content-type']?.startsWith('application/x-www-form-urlencoded')) headers['content-type'] = 'application/json';
    if (!headers['content-type']) headers['content-type'] = 'application/json';
  }

  // About is the one resource that answers without a version header (1.0.3 Part 3 §2.8, 2.0.0 §4.1.6.7).
  const family: Family = path === '/about' && !headers['x-experience-api-version'] ? '2.0' : familyOf(headers['x-experience-api-version']);
  if (alternate !== undefined && family === '2.0') {
    throw new ValidationError('The Alternate Request Syntax (?method=) is not part of xAPI 2.0.', undefined, 'XAPI_ALTERNATE_SYNTAX');
  }
  return { method, path, params, headers, body, contentType: (headers['content-type'] ?? '').trim(), family, base };
}

/** The value of a boolean parameter ("true"/"false"), 400 otherwise. */
export function boolParam(params: Map<string, string>, name: string): boolean {
  const v = params.get(name);
  if (v === undefined) return false;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw new ValidationError(`The parameter ${name} must be true or false.`, undefined, 'XAPI_BAD_PARAMETER');
}

export function onlyParams(params: Map<string, string>, allowed: readonly string[]): void {
  for (const k of params.keys()) {
    if (!allowed.includes(k)) throw new ValidationError(`The parameter ${k} is not allowed here.`, undefined, 'XAPI_BAD_PARAMETER');
  }
}

export function requireParam(params: Map<string, string>, name: string): string {
  const v = params.get(name);
  if (v === undefined || v === '') throw new ValidationError(`The parameter ${name} is required.`, undefined, 'XAPI_MISSING_PARAMETER');
  return v;
}
