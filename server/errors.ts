/**
 * @module server/errors
 * Expected failures are thrown as {@link AppError}; everything else becomes a plain 500.
 */
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody, ErrorCode, ValidationIssue } from '../shared/index.ts';
import type { z } from 'zod';

export class AppError extends HTTPException {
  constructor(
    readonly code: ErrorCode,
    status: ContentfulStatusCode,
    message: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(status, { message });
  }

  body(): ErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) } };
  }
}

/** zod issues as `{ path: 'events.3.lat', message }`, one per bad field */
export function issuesOf(err: z.ZodError): ValidationIssue[] {
  return err.issues.map((i) => ({ path: i.path.length ? i.path.join('.') : '(body)', message: i.message }));
}

/**
 * The store could not be reached in time (PostgreSQL: no free connection, or none could be
 * opened): a temporary condition, answered 503 `UNAVAILABLE` with `Retry-After`, not 500.
 */
export class StoreUnavailableError extends Error {
  constructor(override readonly cause: unknown) {
    super(`the database is unavailable: ${(cause as Error | undefined)?.message ?? String(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', 404, `${what} not found`);
