/**
 * The Statement Resource (xAPI 1.0.3 Part 3 §2.1, 2.0.0 §4.1.6.1): PUT one statement by statementId, POST one or
 * many, GET one (statementId / voidedStatementId) or a filtered page with a `more` link. Bodies are
 * application/json or multipart/mixed with attachments; responses are multipart/mixed when attachments=true.
 */
import crypto from 'node:crypto';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import type { AttachmentContent } from './attachments';
import { attachmentHashes } from './attachments';
import type { Credential } from './credentials';
import { acceptedLanguages, downgradeTo10, formatStatement, type Format } from './format';
import { boolParam, onlyParams, requireParam, type XapiRequest } from './http';
import type { JsonObject } from './model';
import { boundaryOf, buildMultipart, parseMultipart } from './multipart';
import { parseAgentParam, parseIriParam, parseTimestampParam, parseUuidParam } from './params';
import type { Reply } from './reply';
import { allows, readsOnlyMine } from './scopes';
import type { StatementService } from './statements';
import { isIri, isObject, isUuid, parseTimestamp } from './validate/primitives';
import type { StoredRow } from './store';
import type { StatementFilter } from './store-query';

const MAX_PAGE = 100;
const QUERY_PARAMS = ['agent', 'verb', 'activity', 'registration', 'related_activities', 'related_agents', 'since', 'until', 'limit', 'format', 'attachments', 'ascending'];


function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new ValidationError('The request body is not valid JSON.', undefined, 'XAPI_BAD_JSON');
  }
}

/** The statement(s) and attachment parts of a PUT/POST body (1.0.3 Part 3 §1.5.2 "Attachments"). */
function readStatementBody(req: XapiRequest): { value: unknown; parts?: AttachmentContent[] } {
  const type = req.contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return { value: parseJson(req.body) };
  if (type === 'multipart/mixed') {
    const boundary = boundaryOf(req.contentType);
    if (!boundary) throw new ValidationError('A multipart/mixed body needs a boundary.', undefined, 'XAPI_BAD_MULTIPART');
    const [first, ...rest] = parseMultipart(req.body, boundary);
    if (!first || (first.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      throw new ValidationError('The first part of a multipart/mixed statement request must be application/json.', undefined, 'XAPI_BAD_MULTIPART');
    }
    const parts = rest.map((p) => {
      if (!p.headers['x-experience-api-hash']) throw new ValidationError('Every attachment part needs an X-Experience-API-Hash header.', undefined, 'XAPI_BAD_MULTIPART');
      if ((p.headers['content-transfer-encoding'] ?? '').toLowerCase() !== 'binary') {
        throw new ValidationError('Every attachment part needs Content-Transfer-Encoding: binary.', undefined, 'XAPI_BAD_MULTIPART');
      }
      return { sha2: p.headers['x-experience-api-hash']!, contentType: p.headers['content-type'] ?? 'application/octet-stream', content: p.body };
    });
    return { value: parseJson(first.body), parts };
  }
  throw new ValidationError('Statements are sent as application/json or multipart/mixed.', undefined, 'XAPI_CONTENT_TYPE');
}

interface Cursor {
  filter: Omit<StatementFilter, 'after' | 'credentialKey'>;
  after: { stored: string; seq: string };
  format: Format;
  attachments: boolean;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

/**
 * A `more` link comes back from the client, so its content is checked like query parameters: a crafted one gets a
 * 400, never a 500 or a page larger than MAX_PAGE.
 */
function decodeCursor(token: string): Cursor {
  const bad = () => new ValidationError('The "more" link is not valid.', undefined, 'XAPI_BAD_PARAMETER');
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw bad();
  }
  const f = c?.filter;
  const str = (v: unknown) => v === undefined || typeof v === 'string';
  const ok = isObject(f) && isObject(c.after) && typeof c.after.seq === 'string' && /^\d{1,19}$/.test(c.after.seq)
    && typeof c.after.stored === 'string' && parseTimestamp(c.after.stored) !== null
    && typeof f.ascending === 'boolean' && Number.isInteger(f.limit) && f.limit >= 1 && f.limit <= MAX_PAGE
    && (f.agent === undefined || (isObject(f.agent) && typeof f.agent.key === 'string' && typeof f.agent.related === 'boolean'))
    && (f.activity === undefined || (isObject(f.activity) && isIri(f.activity.id) && typeof f.activity.related === 'boolean'))
    && (f.verb === undefined || isIri(f.verb)) && (f.registration === undefined || isUuid(f.registration))
    && str(f.since) && str(f.until) && (f.since === undefined || parseTimestamp(f.since) !== null) && (f.until === undefined || parseTimestamp(f.until) !== null)
    && ['exact', 'ids', 'canonical'].includes(c.format) && typeof c.attachments === 'boolean';
  if (!ok) throw bad();
  return c;
}

export function statementRoutes(options: { statements: StatementService }) {
  const { statements } = options;

  const show = (req: XapiRequest, s: JsonObject, format: Format): JsonObject => {
    const visible = req.family === '1.0' ? downgradeTo10(s) : s;
    return formatStatement(visible, { format, languages: acceptedLanguages(req.headers['accept-language']) });
  };

  async function respond(req: XapiRequest, payload: unknown, rows: StoredRow[], withAttachments: boolean, headers: Record<string, string>): Promise<Reply> {
    if (!withAttachments) return { status: 200, headers, json: payload };
    const found = await statements.attachments(attachmentHashes(rows.map((r) => r.statement)));
    const boundary = `xapi-${crypto.randomBytes(12).toString('hex')}`;
    const body = buildMultipart([
      { headers: { 'Content-Type': 'application/json' }, body: Buffer.from(JSON.stringify(payload)) },
      ...found.map((a) => ({ headers: { 'Content-Type': a.contentType, 'Content-Transfer-Encoding': 'binary', 'X-Experience-API-Hash': a.sha2 }, body: a.content })),
    ], boundary);
    return { status: 200, headers: { ...headers, 'Content-Type': `multipart/mixed; boundary=${boundary}` }, body };
  }

  async function get(req: XapiRequest, credential: Credential): Promise<Reply> {
    if (!allows(credential.scopes, 'statements/read')) throw new ForbiddenError('This credential may not read statements.', 'XAPI_SCOPE');
    const mine = readsOnlyMine(credential.scopes) ? credential.key : undefined;
    const p = req.params;
    const format = (p.get('format') ?? 'exact') as Format;
    if (!['exact', 'ids', 'canonical'].includes(format)) throw new ValidationError('The parameter format must be ids, exact or canonical.', undefined, 'XAPI_BAD_PARAMETER');
    const withAttachments = boolParam(p, 'attachments');

    const single = p.has('statementId') ? 'statementId' : p.has('voidedStatementId') ? 'voidedStatementId' : undefined;
    if (single) {
      // One statement: only format and attachments may accompany the id (1.0.3 Part 3 §2.1.3).
      onlyParams(p, [single, 'format', 'attachments']);
      const id = parseUuidParam(requireParam(p, single), single);
      const row = await statements.get(id, { voided: single === 'voidedStatementId', credentialKey: mine });
      if (!row) throw new NotFoundError(`No ${single === 'voidedStatementId' ? 'voided ' : ''}statement with id ${id}.`, 'XAPI_NOT_FOUND');
      return respond(req, show(req, row.statement, format), [row], withAttachments, { 'Last-Modified': row.stored.toUTCString() });
    }

    let cursor: Cursor;
    if (p.has('more')) {
      onlyParams(p, ['more']);
      cursor = decodeCursor(p.get('more')!);
    } else {
      onlyParams(p, QUERY_PARAMS);
      const filter: Cursor['filter'] = { ascending: boolParam(p, 'ascending'), limit: MAX_PAGE };
      if (p.has('agent')) filter.agent = { key: parseAgentParam(p.get('agent')!, 'agent', { allowGroup: true }).key, related: boolParam(p, 'related_agents') };
      else boolParam(p, 'related_agents');
      if (p.has('verb')) filter.verb = parseIriParam(p.get('verb')!, 'verb');
      if (p.has('activity')) filter.activity = { id: parseIriParam(p.get('activity')!, 'activity'), related: boolParam(p, 'related_activities') };
      else boolParam(p, 'related_activities');
      if (p.has('registration')) filter.registration = parseUuidParam(p.get('registration')!, 'registration');
      if (p.has('since')) filter.since = parseTimestampParam(p.get('since')!, 'since');
      if (p.has('until')) filter.until = parseTimestampParam(p.get('until')!, 'until');
      if (p.has('limit')) {
        const raw = p.get('limit')!;
        if (!/^\d+$/.test(raw)) throw new ValidationError('The parameter limit must be a non-negative integer.', undefined, 'XAPI_BAD_PARAMETER');
        const n = Number(raw);
        filter.limit = n === 0 ? MAX_PAGE : Math.min(n, MAX_PAGE); // 0 = the server's maximum
      }
      cursor = { filter, after: undefined as never, format, attachments: withAttachments };
    }
    const page = await statements.query({ ...cursor.filter, after: cursor.after, credentialKey: mine });
    const more = page.next ? `${req.base}/statements?more=${encodeCursor({ ...cursor, after: page.next })}` : '';
    const shown = page.rows.map((r) => show(req, r.statement, cursor.format));
    const lastModified = page.rows.reduce((m, r) => (r.stored > m ? r.stored : m), new Date(0));
    return respond(req, { statements: shown, more }, page.rows, cursor.attachments, page.rows.length ? { 'Last-Modified': lastModified.toUTCString() } : {});
  }

  async function put(req: XapiRequest, credential: Credential): Promise<Reply> {
    if (!allows(credential.scopes, 'statements/write')) throw new ForbiddenError('This credential may not store statements.', 'XAPI_SCOPE');
    onlyParams(req.params, ['statementId']);
    const id = parseUuidParam(requireParam(req.params, 'statementId'), 'statementId');
    const { value, parts } = readStatementBody(req);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ValidationError('PUT stores one statement: the body must be a statement object.', undefined, 'XAPI_BAD_BODY');
    }
    const statement = value as JsonObject;
    if (statement.id !== undefined && String(statement.id).toLowerCase() !== id) {
      throw new ValidationError('The statement id does not match the statementId parameter.', undefined, 'XAPI_ID_MISMATCH');
    }
    statement.id = statement.id ?? id;
    await statements.store([statement], { credential, family: req.family, parts });
    return { status: 204 };
  }

  async function post(req: XapiRequest, credential: Credential): Promise<Reply> {
    if (!allows(credential.scopes, 'statements/write')) throw new ForbiddenError('This credential may not store statements.', 'XAPI_SCOPE');
    onlyParams(req.params, []);
    const { value, parts } = readStatementBody(req);
    const list = Array.isArray(value) ? value : [value];
    const ids = await statements.store(list, { credential, family: req.family, parts });
    return { status: 200, json: ids };
  }

  return { get, put, post };
}
