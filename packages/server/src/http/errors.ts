// The catalogue alone, without the schemas (and typebox) a one-shot CLI command never needs.
import { type ErrorCode, statusOf } from '@relink/contract/errors';
import { DomainError } from '../lib/errors.ts';

/**
 * A domain failure as HTTP: its status comes from the error catalogue, and it may carry
 * response headers (e.g. `retry-after`). Route code throws it; services throw `DomainError`,
 * which the error handler treats the same way.
 */
export class AppError extends DomainError {
  readonly status: number;
  constructor(
    code: ErrorCode,
    message: string,
    extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `retry-after`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(code, message, extra);
    this.name = 'AppError';
    this.status = statusOf(code);
  }

  /** The HTTP form of any domain error: `retryAfter` becomes the `Retry-After` header. */
  static from(error: DomainError): AppError {
    if (error instanceof AppError) return error;
    return new AppError(error.code, error.message, error.extra, error.retryAfter === undefined ? {} : { 'retry-after': String(error.retryAfter) });
  }
}
