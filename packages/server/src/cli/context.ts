import type { Config } from '../config/config.ts';
import { type Core, createCore } from '../core.ts';
import { migrate } from '../db/database.ts';
import { systemClock } from '../lib/clock.ts';
import type { Services } from '../services.ts';
import type { CliValues } from './options.ts';

export interface CliContext {
  config: Config;
  values: CliValues;
  out(text: string): void;
  err(text: string): void;
}

/**
 * Opens the database for a one-shot command (schema brought up to date), runs `work`, closes.
 * `withCore` builds the database, vault and apps only; `withServices` every service, loaded
 * only when a command asks for it (about 100 ms of CPU more: docs/benchmarks.md).
 */
export async function withCore<T>(context: CliContext, work: (core: Core) => Promise<T>): Promise<T> {
  const core = createCore(context.config, systemClock);
  try {
    await migrate(core.database);
    return await work(core);
  } finally {
    await core.database.close();
  }
}

export async function withServices<T>(context: CliContext, work: (services: Services) => Promise<T>): Promise<T> {
  const [{ createServices }, { createLogger }] = await Promise.all([import('../services.ts'), import('../lib/logger.ts')]);
  const services = await createServices(context.config, { logger: createLogger('warn', undefined, context.config.logFormat) });
  try {
    await migrate(services.database);
    return await work(services);
  } finally {
    await services.close();
  }
}

export function requireFlag(context: CliContext, name: 'app' | 'name'): string {
  const value = context.values[name];
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`--${name} is required`);
  return value.trim();
}

/** A whole-number flag within `min`..`max`, or `fallback` when it is absent. */
export function numberFlag(context: CliContext, name: 'limit' | 'page', fallback: number, min: number, max: number): number {
  const value = context.values[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new Error(`--${name} must be a whole number from ${min} to ${max} (got "${value}")`);
  return n;
}

/** `--app ID` when given (trimmed), else undefined: commands that span every app unless narrowed. */
export function optionalApp(context: CliContext): string | undefined {
  const value = context.values.app;
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new Error('--app needs an app id');
  return value.trim();
}
