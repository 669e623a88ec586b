/**
 * The closed set of errors that reach a user. Each carries a stable `code`, an HTTP status and a message that is
 * safe to show; anything else is an internal error and is shown only as its error id.
 */
export type ErrorKind = 'launch' | 'validation' | 'auth' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'too-many' | 'unavailable';

export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly kind: ErrorKind;
  readonly details?: Record<string, unknown>;
  /** Response headers the refusal needs (Retry-After, Allow); set by the error middlewares. */
  readonly headers?: Record<string, string>;
  constructor(options: { code: string; httpStatus: number; kind: ErrorKind; message: string; details?: Record<string, unknown>; headers?: Record<string, string> }) {
    super(options.message);
    this.name = 'AppError';
    this.code = options.code;
    this.httpStatus = options.httpStatus;
    this.kind = options.kind;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** An LTI launch or login that must be refused (OIDC Core 3.1.3.7, LTI 1.3 Core 5.1.3). Always 4xx. */
export class LaunchError extends AppError {
  constructor(code: string, message: string, httpStatus = 400, details?: Record<string, unknown>) {
    super({ code, httpStatus, kind: 'launch', message, details });
    this.name = 'LaunchError';
  }
}

export class ValidationError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code = 'INVALID_INPUT') {
    super({ code, httpStatus: 400, kind: 'validation', message, details });
    this.name = 'ValidationError';
  }
}

export class AuthError extends AppError {
  constructor(message = 'Your session has expired or is not valid. Launch Accrue again from your course.', code = 'UNAUTHENTICATED') {
    super({ code, httpStatus: 401, kind: 'auth', message });
    this.name = 'AuthError';
  }
}

export class ForbiddenError extends AppError {
  constructor(message = 'You do not have access to this page.', code = 'FORBIDDEN') {
    super({ code, httpStatus: 403, kind: 'forbidden', message });
    this.name = 'ForbiddenError';
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'Not found.', code = 'NOT_FOUND') {
    super({ code, httpStatus: 404, kind: 'not-found', message });
    this.name = 'NotFoundError';
  }
}

export class ConflictError extends AppError {
  constructor(message: string, code = 'CONFLICT') {
    super({ code, httpStatus: 409, kind: 'conflict', message });
    this.name = 'ConflictError';
  }
}

export class UnavailableError extends AppError {
  constructor(message: string, code = 'UNAVAILABLE') {
    super({ code, httpStatus: 503, kind: 'unavailable', message });
    this.name = 'UnavailableError';
  }
}

/** Too many requests from one client (RFC 6585 4): 429 with Retry-After in seconds (RFC 9110 10.2.3). */
export class TooManyRequestsError extends AppError {
  constructor(message: string, retryAfterSeconds: number, code = 'TOO_MANY_REQUESTS') {
    super({ code, httpStatus: 429, kind: 'too-many', message, headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) } });
    this.name = 'TooManyRequestsError';
  }
}
