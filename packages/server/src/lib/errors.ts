import type { ErrorCode } from '@relink/contract';

/**
 * A failure the caller is meant to see, said in the domain's terms: a catalogue code and a
 * message that names the problem. Services throw it; `http/` alone decides its status and
 * envelope (the catalogue maps each code to one status). Anything else thrown is a bug or
 * an outage and becomes `INTERNAL` with no detail.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra top-level envelope fields, e.g. `responseCode` on partner steps. */
    readonly extra: Record<string, unknown> = {},
    /** When a retry may succeed, in seconds: the edge answers it as `Retry-After`. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
