/** The longest wait a receiver's `Retry-After` may ask for. */
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

export type Decision = { status: 'succeeded' } | { status: 'failed'; gone: boolean } | { status: 'pending'; nextAttemptAt: number };

/**
 * What follows attempt number `attempt` (1-based): success on any 2xx; `410 Gone` stops for
 * good; otherwise retry after the schedule's next delay with ±10% jitter, or later if the
 * receiver's `Retry-After` asks for more (capped at 24 h), until the schedule runs out.
 */
export function decide(
  outcome: { statusCode: number | null; retryAfter: string | null },
  attempt: number,
  scheduleSeconds: number[],
  now: number,
  random: () => number = Math.random,
): Decision {
  const code = outcome.statusCode;
  if (code !== null && code >= 200 && code < 300) return { status: 'succeeded' };
  if (code === 410) return { status: 'failed', gone: true };
  const delaySeconds = scheduleSeconds[attempt - 1];
  if (delaySeconds === undefined) return { status: 'failed', gone: false };
  const scheduled = Math.round(delaySeconds * 1000 * (0.9 + 0.2 * random()));
  const asked = Math.min(parseRetryAfter(outcome.retryAfter, now) ?? 0, MAX_RETRY_AFTER_MS);
  return { status: 'pending', nextAttemptAt: now + Math.max(scheduled, asked) };
}

/** `Retry-After` as delay-seconds or an HTTP-date (RFC 9110 §10.2.3), in milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
