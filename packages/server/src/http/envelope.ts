import type { ErrorCode } from '@relink/contract';

export type EnvelopeKind = 'v1' | 'v2';

/** v2 and v3 routes share Mono's `{status, message, timestamp, data}` envelope, and so does Relink's own `/metrics`; the rest keep v1's. */
export function envelopeFor(url: string): EnvelopeKind {
  return /^\/(v[23]\/|metrics(\?|$))/.test(url) ? 'v2' : 'v1';
}

export function successV2<T, const E extends Record<string, unknown> = {}>(message: string, data: T, extra?: E) {
  return { status: 'successful' as const, message, timestamp: new Date().toISOString(), ...(extra as E), data };
}

export function failureBody(kind: EnvelopeKind, code: ErrorCode, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  if (kind === 'v2') {
    return { status: 'failed', message, timestamp: new Date().toISOString(), data: null, code, ...extra };
  }
  return { status: 'failed', message, code, ...extra };
}
