import type { Logger } from 'pino';
import { AppService } from './apps/service.ts';
import type { Config } from './config/config.ts';
import { type Database, openDatabase } from './db/database.ts';
import { Events } from './events/events.ts';
import { InstitutionRegistry } from './institutions/registry.ts';
import { type Clock, systemClock } from './lib/clock.ts';
import { createLogger } from './lib/logger.ts';
import { Vault } from './vault/vault.ts';

/** Everything a request handler or a CLI command may use, built once per process. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  database: Database;
  vault: Vault;
  apps: AppService;
  institutions: InstitutionRegistry;
  events: Events;
  close(): Promise<void>;
}

export interface ServiceOptions {
  clock?: Clock;
  logger?: Logger;
}

export function createServices(config: Config, options: ServiceOptions = {}): Services {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  const database = openDatabase(config.database);
  const vault = new Vault(database.db, config.masterKey, config.previousMasterKeys, clock);
  const apps = new AppService(database.db, vault, config.masterKey, clock);
  return {
    config,
    clock,
    logger,
    database,
    vault,
    apps,
    institutions: new InstitutionRegistry(),
    events: new Events(database.db, clock),
    async close() {
      await database.close();
    },
  };
}
