import pino, { type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from '../config/config.ts';

/**
 * Every field that can hold a secret, at any depth we log. Request bodies and headers are not
 * logged at all; this list is the second line of defence for objects passed to the logger.
 */
export const REDACTED_PATHS = [
  'req.headers["mono-sec-key"]',
  'req.headers.authorization',
  'req.headers["mono-webhook-secret"]',
  'headers["mono-sec-key"]',
  'headers["mono-webhook-secret"]',
  ...['password', 'otp', 'answer', 'pin', 'token', 'code', 'secretKey', 'secret_key', 'webhookSecret', 'webhook_secret', 'credentials', 'masterKey']
    .flatMap((field) => [field, `*.${field}`, `*.*.${field}`]),
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'relink' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
