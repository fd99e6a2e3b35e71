import { AppService } from './apps/service.ts';
import type { Config } from './config/config.ts';
import { type Database, openDatabase } from './db/database.ts';
import type { Clock } from './lib/clock.ts';
import { Vault } from './vault/vault.ts';

/**
 * What every other service stands on: the database, the vault and the apps. It is all that
 * `relink apps`, `keys` and `vault` need, so those commands build this and load nothing else
 * (docs/benchmarks.md, "The command's start").
 */
export interface Core {
  config: Config;
  clock: Clock;
  database: Database;
  vault: Vault;
  apps: AppService;
}

export function createCore(config: Config, clock: Clock): Core {
  const database = openDatabase(config.database);
  const vault = new Vault(database.db, config.masterKey, config.previousMasterKeys, clock);
  const appsChanges = database.setup.changeCounter && (() => database.setup.changeCounter!('apps'));
  const apps = new AppService(database.db, vault, config.masterKey, clock, appsChanges);
  return { config, clock, database, vault, apps };
}
