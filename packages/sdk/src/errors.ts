import type { ErrorCode } from '@relink/contract/errors';

/**
 * The API answered with a failure: a 4xx, or a 5xx after the retries ran out. `code` is from
 * Relink's closed catalogue (`INVALID_OTP`, `REAUTH_IN_PROGRESS`, …; Mono's own codes pass
 * through as strings), `responseCode` is 400 on a failed login or commit step, and `body` is
 * the whole failure envelope as received.
 */
export class RelinkError extends Error {
  override readonly name = 'RelinkError';
  readonly status: number;
  readonly code: ErrorCode | (string & {}) | null;
  readonly responseCode: number | null;
  readonly body: unknown;
  /** The `x-request-id` the server gave this call, to quote when asking about it. */
  readonly requestId: string | null;

  constructor(status: number, body: unknown, requestId: string | null) {
    const envelope = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown; code?: unknown; responseCode?: unknown };
    super(typeof envelope.message === 'string' ? envelope.message : `HTTP ${status}`);
    this.status = status;
    this.code = typeof envelope.code === 'string' ? envelope.code : null;
    this.responseCode = typeof envelope.responseCode === 'number' ? envelope.responseCode : null;
    this.body = body;
    this.requestId = requestId;
  }
}

/** No answer: the connection failed or the timeout passed, on every try. `cause` is the last error. */
export class RelinkConnectionError extends Error {
  override readonly name = 'RelinkConnectionError';
  readonly attempts: number;

  constructor(message: string, attempts: number, cause: unknown) {
    super(message, { cause });
    this.attempts = attempts;
  }
}
