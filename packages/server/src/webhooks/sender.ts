import { performance } from 'node:perf_hooks';
import type { Agent } from 'undici';
import { undici } from '../lib/lazy.ts';
import { EgressRefused } from './egress.ts';

/**
 * How much of a receiver's answer is kept with the attempt, and shown by the deliveries API (as
 * Svix shows it): enough for an error message or a status page's title, so a partner can see
 * why its receiver refused; not enough to read a page of whatever answered (a test app may
 * point its webhook at a service on a private network).
 */
export const RESPONSE_EXCERPT_BYTES = 256;

export interface SendResult {
  statusCode: number | null;
  retryAfter: string | null;
  bodyExcerpt: string | null;
  error: string | null;
  durationMs: number;
  /** The attempt was cut short because this server is shutting down: it says nothing about the receiver. */
  interrupted: boolean;
}

/**
 * One HTTP POST. Never throws: a refused address, a timeout or a reset is an attempt that
 * failed, described in `error`. Redirects are not followed (a 3xx is a failure).
 */
export async function send(
  agent: Agent,
  target: { url: string; headers: Record<string, string>; body: string; timeoutMs: number },
  shutdown: AbortSignal,
): Promise<SendResult> {
  const started = performance.now();
  const timeout = AbortSignal.timeout(target.timeoutMs);
  const signal = AbortSignal.any([timeout, shutdown]);
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const response = await undici().request(target.url, {
      method: 'POST',
      headers: target.headers,
      body: target.body,
      dispatcher: agent,
      signal,
      headersTimeout: target.timeoutMs,
      bodyTimeout: target.timeoutMs,
    });
    const durationMs = elapsed();
    const bodyExcerpt = await excerpt(response.body);
    const retryAfter = response.headers['retry-after'];
    const redirect = response.statusCode >= 300 && response.statusCode < 400;
    return {
      statusCode: response.statusCode,
      retryAfter: typeof retryAfter === 'string' ? retryAfter : null,
      bodyExcerpt,
      error: redirect ? `receiver answered ${response.statusCode}; redirects are not followed` : null,
      durationMs,
      interrupted: false,
    };
  } catch (error) {
    const interrupted = shutdown.aborted && !timeout.aborted;
    return {
      statusCode: null,
      retryAfter: null,
      bodyExcerpt: null,
      error: describe(error, timeout.aborted, target.timeoutMs),
      durationMs: elapsed(),
      interrupted,
    };
  }
}

async function excerpt(body: AsyncIterable<Buffer> & { destroy(): unknown }): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_EXCERPT_BYTES) break;
    }
  } catch {
    // The status already arrived; a body cut short does not change the outcome.
  } finally {
    body.destroy();
  }
  return size === 0 ? null : Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString('utf8');
}

function describe(error: unknown, timedOut: boolean, timeoutMs: number): string {
  if (timedOut) return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: unknown }).cause;
  const root = error instanceof EgressRefused ? error : cause instanceof EgressRefused ? cause : undefined;
  if (root) return `refused by egress rules: ${root.message}`;
  const e = error as NodeJS.ErrnoException;
  return [e.code, e.message].filter(Boolean).join(': ').slice(0, 500) || 'request failed';
}
