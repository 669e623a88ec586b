/**
 * The one error middleware. Known errors (AppError) answer with their status and safe message; anything else is a
 * 500 with only an error id. Pages get an HTML page, API clients (Accept: application/json, or /xapi) get JSON.
 * The error id is in the log line and the response, so support can find one from the other.
 */
import crypto from 'node:crypto';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError } from '../errors';
import type { Logger } from '../log';
import type { ViewEngine } from './views';

export const errorId = () => crypto.randomBytes(6).toString('hex');

function wantsJson(req: Parameters<RequestHandler>[0]): boolean {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/json') && !accept.includes('text/html');
}

export function errorHandler(options: { log: Logger; views: ViewEngine }): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const id = errorId();
    let status = 500;
    let code = 'INTERNAL';
    let message = 'Something went wrong on our side. Please try again; if it keeps happening, give this error id to support.';
    let details: Record<string, unknown> | undefined;
    if (err instanceof AppError) {
      ({ httpStatus: status, code, message, details } = err);
    } else if (err && typeof err === 'object' && 'type' in err && typeof (err as { status?: unknown }).status === 'number') {
      // body-parser errors: malformed JSON, too large, wrong charset: the client's mistake, said plainly.
      status = (err as { status: number }).status;
      code = String((err as { type: string }).type).toUpperCase().replace(/\W+/g, '_');
      message = status === 413 ? 'The request is too large.' : 'The request body could not be read.';
    }
    const fields = { errorId: id, code, status, method: req.method, path: req.path };
    if (status >= 500) options.log.error('request failed', { ...fields, error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
    else options.log.info('request refused', fields);
    if (res.headersSent) return;
    res.status(status);
    if (err instanceof AppError) for (const [k, v] of Object.entries(err.headers ?? {})) res.setHeader(k, v);
    if (wantsJson(req)) {
      res.json({ error: { code, message, errorId: id, ...(details ? { details } : {}) } });
      return;
    }
    const page = err instanceof AppError && err.kind === 'launch' ? 'errors/launch' : 'errors/error';
    res.type('html').send(options.views.render(page, { title: status < 500 ? 'Cannot continue' : 'Error', status, code, message, errorId: id, details }));
  };
}

export const notFound: RequestHandler = (req, res, next) => {
  next(new AppError({ code: 'NOT_FOUND', httpStatus: 404, kind: 'not-found', message: 'There is no page at this address.' }));
};
