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
