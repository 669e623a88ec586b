/**
 * Security headers. Accrue lives in LMS iframes: instead of X-Frame-Options it sends a CSP frame-ancestors list of
 * the registered platforms' origins (plus FRAME_ANCESTORS), refreshed from the database. CORS answers only the
 * configured origins, never the request's own.
 */
import helmet from 'helmet';
import type { RequestHandler, Response } from 'express';

export function securityHeaders(options: { frameAncestors: () => string[] }): RequestHandler[] {
  const base = helmet({
    contentSecurityPolicy: false,
    frameguard: false,
    crossOriginEmbedderPolicy: false,
    crossOriginOpenerPolicy: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
  });
  const csp: RequestHandler = (_req, res, next) => {
    const ancestors = ["'self'", ...options.frameAncestors()].join(' ');
    res.setHeader(
      'Content-Security-Policy',
      `default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self' 'unsafe-inline'; ` +
        `form-action *; frame-ancestors ${ancestors}; base-uri 'self'; object-src 'none'`,
    );
    next();
  };
  return [base, csp];
}

/** The CORS answer for one allowed origin (no Allow-Credentials: cross-origin callers authenticate by header). */
export function allowOrigin(res: Response, origin: string): void {
  res.setHeader('Access-Control-Allow-Origin', origin);
  res.setHeader('Vary', 'Origin');
  res.setHeader('Access-Control-Allow-Headers', 'Authorization, Content-Type, X-Experience-API-Version, If-Match, If-None-Match');
  res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE, OPTIONS');
  res.setHeader('Access-Control-Expose-Headers', 'ETag, Last-Modified, X-Experience-API-Version, X-Experience-API-Consistent-Through');
}

export function cors(options: { origins: string[] }): RequestHandler {
  const allowed = new Set(options.origins);
  return (req, res, next) => {
    const origin = req.headers.origin;
    if (origin && allowed.has(origin)) allowOrigin(res, origin);
    if (req.method === 'OPTIONS' && origin) {
      res.status(allowed.has(origin) ? 204 : 403).end();
      return;
    }
    next();
  };
}
