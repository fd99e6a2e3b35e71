import { Kysely, Migrator, sql } from 'kysely';
import type { Config } from '../config/config.ts';
import { postgresDialect } from './dialects/postgres.ts';
import { sqliteDialect } from './dialects/sqlite.ts';
import type { Capabilities, DatabaseKind, DialectSetup } from './dialects/types.ts';
import { migrationProvider } from './migrations/index.ts';
import type { Schema } from './schema.ts';

export type Db = Kysely<Schema>;

/** The open database: Kysely plus what the services may know about it (capabilities, not names). */
export interface Database {
  db: Db;
  kind: DatabaseKind;
  capabilities: Capabilities;
  /** Present on PostgreSQL: the pool, for LISTEN connections. */
  setup: DialectSetup;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function openDatabase(database: Config['database']): Database {
  const setup =
    database.kind === 'postgres' ? postgresDialect(database.url, { preparedStatements: database.preparedStatements ?? true }) : sqliteDialect(database.file);
  const db = new Kysely<Schema>({ dialect: setup.dialect });
  let closed = false;
  return {
    db,
    kind: setup.kind,
    capabilities: setup.capabilities,
    setup,
    async ping() {
      await sql`select 1`.execute(db);
    },
    async close() {
      if (closed) return;
      closed = true;
      await db.destroy();
      await setup.close();
    },
  };
}

export interface MigrationReport {
  applied: string[];
}

/** Brings the schema up to date. Safe to run from several processes at once. */
export async function migrate(database: Database): Promise<MigrationReport> {
  if (await isCurrent(database)) return { applied: [] };
  const migrator = new Migrator({ db: database.db, provider: migrationProvider });
  const results = await database.setup.migrationLock(async () => {
    // Kysely reports a failed migration instead of throwing; throwing rolls the run back.
    const { error, results } = await migrator.migrateToLatest();
    if (error) throw error instanceof Error ? error : new Error(String(error));
    return results;
  });
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/**
 * Every migration recorded as applied, and no other: one read instead of the migrator's run,
 * which takes the migration lock (on SQLite a write lock, waiting behind any writer) to find
 * nothing to do. Anything else, an error included, is left to the migrator to do or to report.
 */
async function isCurrent(database: Database): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(database.db);
    const recorded = new Set(rows.map((row) => row.name));
    const names = Object.keys(await migrationProvider.getMigrations());
    return recorded.size === names.length && names.every((name) => recorded.has(name));
  } catch {
    return false;
  }
}
