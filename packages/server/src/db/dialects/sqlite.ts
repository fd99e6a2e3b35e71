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
    // Kysely takes no lock on SQLite (it assumes one process) and runs each migration on
    // its own, so two processes starting on a fresh file would both create the same tables.
    // The migrator runs on this same handle without transactions of its own, so its work
    // lands inside this one; another process waits here (busy_timeout) and then finds
    // nothing left to do.
    async migrationLock(work) {
      database.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        database.exec('COMMIT');
        return result;
      } catch (error) {
        if (database.inTransaction) database.exec('ROLLBACK');
        throw error;
      }
    },
    async close() {
      // Kysely's destroy() closes the handle; nothing else is held.
    },
  };
}
