import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import type { DialectSetup } from './types.ts';

/**
 * The embedded default: one SQLite file in WAL mode. Several processes may open the same
 * file (WAL lets readers run beside the one writer; busy_timeout queues writers).
 */
export function sqliteDialect(file: string): DialectSetup {
  mkdirSync(dirname(file), { recursive: true });
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  return {
    kind: 'sqlite',
    dialect: new SqliteDialect({ database }),
    capabilities: { skipLocked: false, notify: false },
    async close() {
      // Kysely's destroy() closes the handle; nothing else is held.
    },
  };
}
