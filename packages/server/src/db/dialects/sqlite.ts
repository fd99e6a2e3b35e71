import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { SqliteDialect, type SqliteDatabase } from 'kysely';
import { createPrivateFile, privateDirectory, privateFile } from '../../lib/files.ts';
import { type Checkpointer, startCheckpointer } from './sqlite_checkpointer.ts';
import type { DialectSetup } from './types.ts';

/** Distinct statements kept prepared; Relink issues a few hundred shapes of query. */
const STATEMENT_CACHE_SIZE = 1000;
/** A write statement and the table it writes: `insert into "apps"`, `update "apps"`, `delete from "apps"`. */
const WRITE = /^\s*(?:insert\s+(?:or\s+\w+\s+)?into|replace\s+into|update|delete\s+from)\s+"?([A-Za-z_]\w*)"?/i;
/** Statements that change no table's rows. */
const NO_ROWS = /^\s*(?:begin|commit|end|rollback|savepoint|release|pragma)\b/i;
/** A common table expression that writes, which may write any table. */
const CTE_WRITE = /^\s*with\b[^]*\b(?:insert|update|delete)\b/i;

/**
 * The embedded default: one SQLite file in WAL mode. Several processes may open the same
 * file (WAL lets readers run beside the one writer; busy_timeout queues writers).
 */
export function sqliteDialect(file: string): DialectSetup {
  if (!existsSync(dirname(file))) privateDirectory(dirname(file));
  // SQLite gives the -wal and -shm files the database file's mode, so the file is 0600 before
  // WAL mode starts (SQLite alone would make it 0644). Files an older version made are tightened.
  if (existsSync(file)) privateFile(file);
  else createPrivateFile(file);
  for (const suffix of ['-wal', '-shm']) privateFile(file + suffix);
  const database = new SQLite(file);
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = NORMAL');
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  // When the WAL starts over, its file is cut back to 256 MiB (the background writers' limit,
  // sqlite_checkpointer.ts) instead of keeping the size of its largest burst on disk.
  database.pragma('journal_size_limit = 268435456');
  const changes = new ChangeCounter(database);
  let checkpointer: Checkpointer | undefined;
  return {
    kind: 'sqlite',
    dialect: new SqliteDialect({ database: preparedOnce(database, changes) }),
    capabilities: { skipLocked: false, notify: false, asyncCommit: false },
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
      } finally {
        changes.schemaChanged();
      }
    },
    changeCounter: (table) => changes.of(table),
    startBackgroundWork() {
      // A checkpoint copies the WAL into the database file and fsyncs it: tens of
      // milliseconds that SQLite would otherwise spend inside whichever commit crossed the
      // 1000-page mark, blocking the event loop (the p99 tail). A worker thread with its own
      // connection does it instead; commits stay as durable as before (synchronous=NORMAL).
      if (checkpointer) return;
      database.pragma('wal_autocheckpoint = 0');
      checkpointer = startCheckpointer(file);
    },
    beforeBackgroundWrite: () => checkpointer?.caughtUp(),
    async close() {
      // Kysely's destroy() closes the handle; the checkpointer has its own.
      await checkpointer?.stop();
      checkpointer = undefined;
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query it runs (8% of a request's CPU, measured). The
 * handle it is given keeps the most recently used statements prepared instead; SQLite
 * re-prepares a cached statement by itself if the schema changes under it.
 */
function preparedOnce(database: SQLite.Database, changes: ChangeCounter): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let statement = statements.get(sql);
      if (statement) {
        statements.delete(sql);
      } else {
        statement = database.prepare(sql);
        if (statements.size >= STATEMENT_CACHE_SIZE) statements.delete(statements.keys().next().value!);
      }
      statements.set(sql, statement);
      changes.prepared(sql, statement.reader);
      return statement;
    },
    close() {
      statements.clear();
      database.close();
    },
  };
}

/**
 * How many times a table may have changed, as far as this connection can tell: its own writes
 * (every write statement names its table) plus any commit by another connection, in this
 * process or another (`PRAGMA data_version` moves then). A cache that remembers the count it
 * read before a query knows its entry is stale the moment the count moves.
 */
class ChangeCounter {
  private readonly counts = new Map<string, number>();
  private readonly dataVersion: SQLite.Statement;
  private lastDataVersion = -1;
  private others = 0;

  constructor(database: SQLite.Database) {
    this.dataVersion = database.prepare('PRAGMA data_version').pluck();
  }

  of(table: string): number {
    const seen = this.dataVersion.get() as number;
    if (seen !== this.lastDataVersion) {
      this.lastDataVersion = seen;
      this.others++;
    }
    return this.others + (this.counts.get(table) ?? 0);
  }

  /** Called as each statement is about to run (`returning` makes a write a reader too). */
  prepared(sql: string, reader: boolean) {
    const table = WRITE.exec(sql)?.[1];
    if (table !== undefined) this.counts.set(table, (this.counts.get(table) ?? 0) + 1);
    // A write that names no single table (DDL, a writing CTE) may have changed any.
    else if (reader ? CTE_WRITE.test(sql) : !NO_ROWS.test(sql)) this.schemaChanged();
  }

  schemaChanged() {
    this.others++;
  }
}
