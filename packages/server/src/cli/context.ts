import type { Config } from '../config/config.ts';
import { migrate } from '../db/database.ts';
import { createLogger } from '../lib/logger.ts';
import { createServices, type Services } from '../services.ts';
import type { CliValues } from './main.ts';

export interface CliContext {
  config: Config;
  values: CliValues;
  out(text: string): void;
  err(text: string): void;
}

/** Opens the database for a one-shot command (schema brought up to date), runs `work`, closes. */
export async function withServices<T>(context: CliContext, work: (services: Services) => Promise<T>): Promise<T> {
  const services = createServices(context.config, { logger: createLogger('warn') });
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
