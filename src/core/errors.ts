/**
 * One error type for the whole product. Every failure a person can see carries a stable code
 * (greppable in logs and docs), a message saying what failed and why, and a hint saying what to do.
 * The CLI maps `exit` to its exit status; the server maps `status` to the HTTP status — in one place each.
 * Exit 2 (bad usage) is for a flag or argument value outside what tenantwatch knows — a report name, a record
 * type, a format, a span — and its message says or points to the valid values; exit 1 is for a name that is
 * not among what is stored (a tenant, a sink, an alert), and its hint says how to list what exists.
 */
export const ERROR_CATALOGUE = {
  // usage and input
  USAGE: { status: 400, exit: 2, title: 'Bad usage' },
  BAD_INPUT: { status: 400, exit: 2, title: 'Invalid input' },
  BAD_TIME: { status: 400, exit: 2, title: 'Invalid date or time' },
  BAD_FILTER: { status: 400, exit: 2, title: 'Invalid search filter' },
  LIMIT_TOO_LARGE: { status: 400, exit: 2, title: 'Limit too large' },
  // The reports are a fixed list the CLI knows (report list), like record types: a typo is bad usage.
  UNKNOWN_REPORT: { status: 404, exit: 2, title: 'Unknown report' },
  NOT_FOUND: { status: 404, exit: 1, title: 'Not found' },
  UNKNOWN_TENANT: { status: 404, exit: 1, title: 'Unknown tenant' },
  CONFLICT: { status: 409, exit: 1, title: 'Conflict' },
  // HEAD on an API route (server/index.ts refuseApiHead): the API answers GET only.
  METHOD_NOT_ALLOWED: { status: 405, exit: 2, title: 'Method not allowed' },
  // the console's sign-in and access control (server/auth)
  SIGNIN_REQUIRED: { status: 401, exit: 1, title: 'Sign-in required' },
  SIGNIN_FAILED: { status: 401, exit: 1, title: 'Sign-in failed' },
  SIGNIN_LOCKED: { status: 429, exit: 1, title: 'Sign-in locked' },
  RATE_LIMITED: { status: 429, exit: 1, title: 'Too many requests' },
  FORBIDDEN: { status: 403, exit: 1, title: 'Not allowed' },
  CSRF_REJECTED: { status: 403, exit: 1, title: 'Request forgery suspected' },
  BAD_HOST: { status: 421, exit: 1, title: 'Wrong host' },
  UNSAFE_BIND: { status: 500, exit: 1, title: 'Unsafe to serve' },
  // files and import
  FILE_NOT_FOUND: { status: 400, exit: 1, title: 'File not found' },
  FILE_UNREADABLE: { status: 400, exit: 1, title: 'File cannot be read' },
  FILE_FORMAT: { status: 400, exit: 1, title: 'File format not recognised' },
  FILE_UNWRITABLE: { status: 500, exit: 1, title: 'File cannot be written' },
  // configuration and secrets
  CONFIG_INVALID: { status: 500, exit: 1, title: 'Configuration is invalid' },
  SECRET_MISSING: { status: 400, exit: 1, title: 'Secret not available' },
  SECRET_KEY: { status: 500, exit: 1, title: 'Secret key problem' },
  // store
  STORE_UNAVAILABLE: { status: 503, exit: 1, title: 'Database unavailable' },
  STORE_SCHEMA: { status: 500, exit: 1, title: 'Database schema mismatch' },
  // Microsoft services
  AUTH_FAILED: { status: 502, exit: 1, title: 'Sign-in to Microsoft failed' },
  PERMISSION_MISSING: { status: 502, exit: 1, title: 'Permission missing' },
  AUDIT_DISABLED: { status: 502, exit: 1, title: 'Audit logging is off' },
  THROTTLED: { status: 503, exit: 1, title: 'Throttled by Microsoft' },
  UPSTREAM: { status: 502, exit: 1, title: 'Microsoft service error' },
  NETWORK: { status: 502, exit: 1, title: 'Network error' },
  REFUSED_URL: { status: 502, exit: 1, title: 'URL refused' },
  // generic
  CANCELLED: { status: 499, exit: 130, title: 'Cancelled' },
  TIMEOUT: { status: 504, exit: 1, title: 'Timed out' },
  NOT_IMPLEMENTED: { status: 501, exit: 1, title: 'Not implemented yet' },
  INTERNAL: { status: 500, exit: 1, title: 'Internal error' },
} as const satisfies Record<string, { status: number; exit: number; title: string }>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface AppErrorOptions {
  /** What the person should do about it. */
  hint?: string;
  /** Structured, non-secret facts (field names, file and line, upstream codes). */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.hint = options.hint;
    this.details = options.details;
  }

  get status(): number {
    return ERROR_CATALOGUE[this.code].status;
  }

  get exitCode(): number {
    return ERROR_CATALOGUE[this.code].exit;
  }

  /** One line for a terminal: "what failed. what to do." */
  toLine(): string {
    return this.hint ? `${this.message}. ${this.hint}` : this.message;
  }

  toJSON(): { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.hint ? { hint: this.hint } : {}),
      ...(this.details ? { details: this.details } : {}),
    };
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}

/** Wraps anything thrown into an AppError, keeping AppErrors as they are. */
export function toAppError(e: unknown, fallback: ErrorCode = 'INTERNAL'): AppError {
  if (e instanceof AppError) return e;
  if (e instanceof Error && (e.name === 'AbortError' || (e as { code?: string }).code === 'ABORT_ERR')) {
    return new AppError('CANCELLED', 'Stopped on request', { cause: e });
  }
  const message = e instanceof Error ? e.message : String(e);
  return new AppError(fallback, message, { cause: e });
}
