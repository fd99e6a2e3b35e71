import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use instead of at start: a one-shot `relink` command on
 * SQLite never sends a webhook, opens PostgreSQL or limits a request's rate, and loading
 * undici and pg was a third of its start-up time (rate-limiter-flexible, 35 files, some 30 ms).
 * prom-client is loaded when the first metric is reported (`metrics/metrics.ts`).
 */
export function lazy<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

export const undici = lazy<typeof import('undici')>('undici');
export const pg = lazy<typeof import('pg')>('pg');
export const rateLimiter = lazy<typeof import('rate-limiter-flexible')>('rate-limiter-flexible');
export const promClient = lazy<typeof import('prom-client')>('prom-client');
