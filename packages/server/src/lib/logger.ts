import pino, { type DestinationStream, type Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Objects passed to the logger whose fields may be a partner's or a bank's input. */
const CONTAINERS = ['body', 'fields', 'input', 'credentials', 'data', 'err', 'error'];

/**
 * Every field that can hold a secret, where we log objects. Request bodies and headers are not
 * logged at all; this list is the second line of defence for objects passed to the logger.
 * Fixed paths, not wildcards: pino checks a fixed path at the cost of a property read, a
 * wildcard by walking the object, on every line (6% of a request's CPU, measured).
 */
export const REDACTED_PATHS = [
  'req.headers["mono-sec-key"]',
  'req.headers.authorization',
  'req.headers["mono-webhook-secret"]',
  'headers["mono-sec-key"]',
  'headers["mono-webhook-secret"]',
  ...[
    ...['password', 'otp', 'answer', 'pin', 'token', 'code', 'secretKey', 'secret_key', 'webhookSecret', 'webhook_secret', 'credentials', 'masterKey'],
    // A person's details, as the bank's identity and a session's customer carry them. Not `name`,
    // which is also every error's own (`err.name`).
    ...['email', 'phone', 'bvn', 'full_name', 'fullName', 'customer', 'identity', 'account_number', 'accountNumber'],
  ].flatMap((field) => [field, ...CONTAINERS.map((container) => `${container}.${field}`)]),
  // A PostgreSQL error's detail and query parameters can quote a row's values (a unique violation's key).
  'err.detail',
  'err.parameters',
  'error.detail',
];

/**
 * `code` is redacted because a one-time code (`code_` and lower-case letters) may sit in an
 * object passed to the logger; an error code (ECONNRESET, SQLITE_BUSY, 57P01: upper case and
 * digits with a letter, which no secret Relink makes ever is) is what an operator needs to read, so it stays.
 */
function keepErrorCodes(value: unknown, path: (string | null)[]): unknown {
  const isErrorCode = path[path.length - 1] === 'code' && typeof value === 'string' && /^(?=.*[A-Z])[A-Z0-9_]{2,40}$/.test(value);
  return isErrorCode ? value : '[redacted]';
}

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'relink' },
      redact: { paths: REDACTED_PATHS, censor: keepErrorCodes },
    },
    destination,
  );
}
