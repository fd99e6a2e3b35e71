/**
 * The closed catalogue of error codes Relink answers with.
 *
 * Every failure a client can see carries one of these codes in the `code` field of its
 * envelope (a Relink addition to Mono's shapes, docs/contract.md §1). The server maps a code to its
 * HTTP status in exactly one place, and the SDK re-exports this catalogue so a partner can
 * `switch (err.code)` instead of matching on message strings.
 */
export const ERROR_CODES = {
  /** A field is missing, malformed or not one the current step expects. */
  INVALID_INPUT: 400,
  /** The request body is not valid JSON. */
  INVALID_JSON: 400,
  /** The `mono-sec-key` header is missing, unknown, rotated away or belongs to a deleted app (on `GET /metrics`: the bearer token). */
  INVALID_API_KEY: 401,
  /** The key is valid but may not do this (a live key on a sandbox helper; `GET /metrics` from another machine while it has no token). */
  FORBIDDEN: 403,
  /** No route answers this method and path. */
  ROUTE_NOT_FOUND: 404,
  INSTITUTION_NOT_FOUND: 404,
  /** Unknown session, or a session of another app: the two are indistinguishable on purpose. */
  SESSION_NOT_FOUND: 404,
  ACCOUNT_NOT_FOUND: 404,
  /** Unknown customer, deleted, or another app's. */
  CUSTOMER_NOT_FOUND: 404,
  /** Another customer of the app has this email (Mono answers "Customer already exists" with a 400). */
  CUSTOMER_EXISTS: 400,
  /** The customer still has linked accounts: unlink them (`POST /v2/accounts/{id}/unlink`) before deleting it. */
  CUSTOMER_HAS_ACCOUNTS: 409,
  DELIVERY_NOT_FOUND: 404,
  /** A real-time job id that is unknown, of another account, or no longer kept. */
  JOB_NOT_FOUND: 404,
  EVENT_NOT_FOUND: 404,
  /** No statement job with this id for this account and app, or it expired and was deleted. */
  STATEMENT_JOB_NOT_FOUND: 404,
  /** A statement file's URL that is unknown, expired, not built yet, or of another app. */
  STATEMENT_NOT_FOUND: 404,
  /** A webhook URL the app may not use: not http(s), not https in live mode, or an internal address. */
  WEBHOOK_URL_REFUSED: 400,
  /** The app has no webhook URL, or it was disabled by a 410 Gone: set one with PUT /v2/webhooks/endpoint. */
  WEBHOOK_NOT_CONFIGURED: 409,
  SESSION_EXPIRED: 400,
  /** The session already produced a code: a repeated commit is a conflict, not a new link. */
  SESSION_COMPLETED: 409,
  /** The session failed earlier (wrong answers, locked account); start a new one. */
  SESSION_FAILED: 400,
  /** The session was cancelled: by the partner, by the widget that started it when closed, or replaced by a newer re-authorisation of the account or a newer start of the same hosted link. The message says which. */
  SESSION_CANCELLED: 409,
  /** The third wrong answer to a bank challenge fails the session (NIST SP 800-63B §5.2.2). */
  OTP_ATTEMPTS_EXCEEDED: 400,
  /** A wrong answer to a bank challenge; the message says how many tries are left. */
  OTP_INVALID: 400,
  /** Another step of the same session is running right now. */
  SESSION_BUSY: 409,
  /** A code or reauth token that is unknown, expired, already used, or of another app. */
  CODE_INVALID: 400,
  TOKEN_INVALID: 400,
  /** A reauth session for this account is already live; the message (and `session` on the Partners API) names it. */
  REAUTH_IN_PROGRESS: 409,
  /**
   * The account waits for re-authorisation: the bank refused the stored login (MFA, a changed
   * password, a lock), so no fresh data can be fetched until the user re-authorises. Mono's own
   * code for it (its manual sync answers `code: "REAUTHORISATION_REQUIRED"`); a realtime call
   * also sends `x-job-status: failed` and `x-reauth-required: true`.
   */
  REAUTHORISATION_REQUIRED: 400,
  /** A hosted link already completed its one link or re-authorisation: ask the partner for a new link. */
  LINK_USED: 410,
  /** Another start of the same hosted link is under way this very moment; try again in a few seconds. */
  LINK_BUSY: 409,
  /** The same Idempotency-Key was sent with another body, or while the first is in flight. */
  IDEMPOTENCY_CONFLICT: 409,
  /** The bank rejected the login or the answer; the message says why. */
  BANK_LOGIN_FAILED: 400,
  /** A re-authorisation logged in as a different bank user than the one the account was linked with. */
  BANK_USER_MISMATCH: 400,
  /** The bank could not be reached during a partner step (Mono's responseCode 400 "connection error"). */
  BANK_CONNECTION_ERROR: 400,
  /** The request line and headers did not arrive within the header timeout, or the body within the request timeout. */
  REQUEST_TIMEOUT: 408,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  /** Too many requests of one kind; `Retry-After` says when to try again. */
  RATE_LIMITED: 429,
  /** The request line and headers are larger than 16 KiB. */
  HEADERS_TOO_LARGE: 431,
  /** The bank did not answer, or answered that it is down. */
  BANK_UNAVAILABLE: 503,
  /** The database is unreachable. */
  SERVICE_UNAVAILABLE: 503,
  /** Anything unexpected. The message never carries internal detail; the request id does. */
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export function statusOf(code: ErrorCode): number {
  return ERROR_CODES[code];
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
