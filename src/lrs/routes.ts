/**
 * The LRS router mounted at /xapi. It reads every body raw (statements may be multipart/mixed, documents any
 * media type), builds an XapiRequest, negotiates the version, authenticates, dispatches to the resource and
 * writes the Reply. Every response carries X-Experience-API-Version (xAPI 1.0.3 Part 3 §3.3, 2.0.0 §4.1.1).
 * Errors answer as JSON with the spec's status codes; Authorization headers and statement bodies are never logged.
 */
import crypto from 'node:crypto';
import express, { type ErrorRequestHandler, type Request, type Response } from 'express';
import { AppError, ForbiddenError, NotFoundError } from '../errors';
import type { Logger } from '../log';
import { errorId } from '../web/errors';
import { clientAddress } from '../web/rate-limit';
import type { Credential, CredentialService } from './credentials';
import type { DocumentService } from './documents';
import type { Family } from './model';
import { onlyParams, requireParam, toXapiRequest, type XapiRequest } from './http';
import { parseAgentParam, parseIriParam } from './params';
import type { Reply } from './reply';
import { documentRoutes, RESOURCES } from './routes-documents';
import { statementRoutes } from './routes-statements';
import { allows } from './scopes';
import type { StatementService } from './statements';
import { LATEST, SUPPORTED_VERSIONS } from './version';

export interface LrsRouterOptions {
  base: string;
  maxBodyBytes: number;
  statements: StatementService;
  documents: DocumentService;
  credentials: CredentialService;
  log: Logger;
}

const ALLOWED: Record<string, string[]> = {
  '/about': ['GET', 'HEAD'],
  '/statements': ['GET', 'HEAD', 'PUT', 'POST'],
  '/activities': ['GET', 'HEAD'],
  '/agents': ['GET', 'HEAD'],
  '/activities/state': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  '/activities/profile': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
  '/agents/profile': ['GET', 'HEAD', 'PUT', 'POST', 'DELETE'],
};

/** The Person object for an Agent (1.0.3 Part 3 §2.4, 2.0.0 §4.1.6.3): every property as an array. */
function personOf(agent: Record<string, unknown>): Record<string, unknown> {
  const person: Record<string, unknown> = { objectType: 'Person' };
  for (const k of ['name', 'mbox', 'mbox_sha1sum', 'openid', 'account']) if (agent[k] !== undefined) person[k] = [agent[k]];
  return person;
}

export function lrsRouter(options: LrsRouterOptions): express.Router {
  const { statements, documents, credentials, log } = options;
  const statementHandlers = statementRoutes({ statements });
  const documentHandlers = documentRoutes({ documents });

  async function dispatch(req: XapiRequest, credential: Credential): Promise<Reply> {
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    for (const [name, value] of credential.limits?.ignoredParams ?? []) if (req.params.get(name) === value) req.params.delete(name);
    credential.limits?.request(req);
    if (req.path === '/statements') {
      if (method === 'GET') return statementHandlers.get(req, credential);
      if (method === 'PUT') return statementHandlers.put(req, credential);
      return statementHandlers.post(req, credential);
    }
    const resource = RESOURCES[req.path];
    if (resource) return documentHandlers.handle(resource, req, credential);
    if (req.path === '/activities') {
      if (!allows(credential.scopes, 'activities/read')) throw new ForbiddenError('This credential may not read activities.', 'XAPI_SCOPE');
      onlyParams(req.params, ['activityId']);
      const id = parseIriParam(requireParam(req.params, 'activityId'), 'activityId');
      const found = await statements.activity(id);
      return { status: 200, json: { objectType: 'Activity', id, ...(found?.definition ? { definition: found.definition } : {}) } };
    }
    // '/agents'
    if (!allows(credential.scopes, 'agents/read')) throw new ForbiddenError('This credential may not read agents.', 'XAPI_SCOPE');
    onlyParams(req.params, ['agent']);
    const { agent } = parseAgentParam(requireParam(req.params, 'agent'), 'agent', { allowGroup: false });
    return { status: 200, json: personOf(agent) };
  }

  function write(res: Response, reply: Reply): void {
    res.status(reply.status);
    for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, v);
    if (reply.body !== undefined) res.send(reply.body);
    else if (reply.json !== undefined) res.json(reply.json);
    else res.end();
  }

  // A request without X-Experience-API-Version is refused in the version its client last used (by Authorization
  // header), so a 1.0.3 client that forgets the header once is answered as 1.0.3; unknown clients get 2.0.0.
  const lastFamily = new Map<string, Family>();
  const clientOf = (req: Request) => (req.headers.authorization ? crypto.createHash('sha256').update(req.headers.authorization).digest('base64') : undefined);

  const router = express.Router();
  router.use((req, res, next) => {
    res.setHeader('X-Experience-API-Version', LATEST['2.0']);
    res.setHeader('Cache-Control', 'no-store');
    // Every Statement Resource response says how current it is, errors included (2.0.0 §4.1.6.1, XAPI-00153).
    // Statements are visible as soon as they are stored, so "now" is exact.
    if (req.path.replace(/\/+$/, '') === '/statements') res.setHeader('X-Experience-API-Consistent-Through', new Date().toISOString());
    next();
  });
  // A body is read only for an authenticated caller: up to maxBodyBytes of upload is not given away to anyone.
  // The 1.0.x Alternate Request Syntax carries its Authorization inside the form body, so it is authenticated
  // after reading, as before; everything else is refused (401 / 429) before the body is read.
  router.use(async (req: Request, res: Response, next) => {
    const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
    if (!hasBody || 'method' in req.query) return next();
    try {
      res.locals.xapiCredential = await credentials.authenticate(req.headers.authorization, clientAddress(req));
      next();
    } catch (err) {
      // Answer without reading the body, and close: the unread upload is not drained on a kept-alive connection.
      res.setHeader('Connection', 'close');
      next(err);
    }
  });
  router.use(express.raw({ type: () => true, limit: options.maxBodyBytes }));
  router.use(async (req: Request, res: Response, next) => {
    try {
      const client = clientOf(req);
      let xreq: XapiRequest;
      try {
        xreq = toXapiRequest(req, options.base);
      } catch (err) {
        const known = client ? lastFamily.get(client) : undefined;
        if (known) res.setHeader('X-Experience-API-Version', LATEST[known]);
        throw err;
      }
      res.setHeader('X-Experience-API-Version', LATEST[xreq.family]);
      if (client && req.headers['x-experience-api-version']) {
        if (lastFamily.size >= 10_000) lastFamily.clear();
        lastFamily.set(client, xreq.family);
      }
      const allowed = ALLOWED[xreq.path];
      if (!allowed) throw new NotFoundError('There is no xAPI resource at this address.', 'XAPI_NO_RESOURCE');
      if (!allowed.includes(xreq.method)) {
        res.setHeader('Allow', allowed.join(', '));
        throw new AppError({ code: 'XAPI_METHOD', httpStatus: 405, kind: 'validation', message: `${xreq.method} is not allowed on ${xreq.path}.` });
      }
      if (xreq.path === '/about') {
        onlyParams(xreq.params, []);
        write(res, { status: 200, json: { version: [...SUPPORTED_VERSIONS], extensions: {} } });
        return;
      }
      const early = res.locals.xapiCredential as Awaited<ReturnType<typeof credentials.authenticate>> | undefined;
      const credential = early ?? await credentials.authenticate(xreq.headers.authorization, clientAddress(req));
      write(res, await dispatch(xreq, credential));
    } catch (err) {
      next(err);
    }
  });
  router.use(xapiErrors(log));
  return router;
}

function xapiErrors(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const id = errorId();
    let status = 500;
    let code = 'INTERNAL';
    let message = 'The LRS failed to handle this request. Give this error id to support if it keeps happening.';
    if (err instanceof AppError) ({ httpStatus: status, code, message } = err);
    else if (err && typeof err === 'object' && typeof (err as { status?: unknown }).status === 'number' && 'type' in err) {
      status = (err as { status: number }).status; // body-parser: too large, aborted
      code = status === 413 ? 'XAPI_TOO_LARGE' : 'XAPI_BAD_BODY';
      message = status === 413 ? 'The request body is too large for this LRS.' : 'The request body could not be read.';
    }
    const fields = { errorId: id, code, status, method: req.method, path: req.path };
    if (status >= 500) log.error('xapi request failed', { ...fields, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    else log.debug('xapi request refused', { ...fields, reason: message });
    if (res.headersSent) return;
    if (status === 401) res.setHeader('WWW-Authenticate', 'Basic realm="Accrue xAPI LRS", charset="UTF-8"');
    if (err instanceof AppError) for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
    res.status(status).json({ error: { code, message, errorId: id } });
  };
}

