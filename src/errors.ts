/**
 * The closed set of errors that reach a user. Each carries a stable `code`, an HTTP status and a message that is
 * safe to show; anything else is an internal error and is shown only as its error id.
 */
export type ErrorKind = 'launch' | 'validation' | 'auth' | 'forbidden' | 'not-found' | 'conflict' | 'too-large' | 'unavailable';

export class AppError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly kind: ErrorKind;
  readonly details?: Record<string, unknown>;
  constructor(options: { code: string; httpStatus: number; kind: ErrorKind; message: string; details?: Record<string, unknown> }) {
    super(options.message);
    this.name = 'AppError';
    this.code = options.code;
    this.httpStatus = options.httpStatus;
    this.kind = options.kind;
    this.details = options.details;
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
