// The catalogue alone, without the schemas (and typebox) a one-shot CLI command never needs.
import { type ErrorCode, statusOf } from '@relink/contract/errors';

/**
 * A failure the client is meant to see: a catalogue code and a message that names the
 * problem. Anything else thrown is a bug or an outage and becomes `INTERNAL` with no detail.
 */
export class AppError extends Error {
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level envelope fields, e.g. `responseCode` on partner steps. */
    readonly extra: Record<string, unknown> = {},
    /** Extra response headers, e.g. `retry-after`. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
    this.status = statusOf(code);
  }
}
