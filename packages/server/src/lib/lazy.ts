import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use instead of at start: a one-shot `relink` command on
 * SQLite never sends a webhook or opens PostgreSQL, and loading undici and pg was a third of
 * its start-up time.
 */
export function lazy<T>(name: string): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= require(name) as T);
}

export const undici = lazy<typeof import('undici')>('undici');
export const pg = lazy<typeof import('pg')>('pg');
