import { existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import SQLite from 'better-sqlite3';
import { createPrivateFile } from '../lib/files.ts';
import type { CliContext } from './context.ts';

const PG_ROUTE = [
  'On PostgreSQL, back up with pg_dump while Relink serves (it reads one consistent snapshot):',
  '  pg_dump --format=custom --file relink.dump "$DATABASE_URL"',
  'and restore into an empty database with Relink stopped:',
  '  pg_restore --no-owner --dbname "$DATABASE_URL" relink.dump',
  'See docs/operations.md.',
].join('\n');

/**
 * `relink backup FILE`: an online copy of the SQLite database through SQLite's backup API, safe
 * while servers write to it (a page changed during the copy restarts it), checked before it is
 * reported done. The master key is not in it: keep RELINK_MASTER_KEY (or master.key) apart.
 */
export async function backupCommand(context: CliContext, target: string | undefined): Promise<number> {
  const { database } = context.config;
  if (database.kind !== 'sqlite') {
    context.err(`relink backup copies SQLite databases.\n${PG_ROUTE}`);
    return 2;
  }
  if (!target) throw new Error('name the backup file: relink backup FILE');
  const file = resolve(target);
  if (existsSync(file)) throw new Error(`${file} exists; name a new file`);
  if (!existsSync(database.file)) throw new Error(`no database at ${database.file}`);
  const source = openToRead(database.file);
  source.pragma('busy_timeout = 10000');
  const partial = `${file}.partial`;
  try {
    // A backup is the whole database: 0600 before the first page is in it, whatever the umask.
    createPrivateFile(partial);
    const { totalPages } = await source.backup(partial);
    // The copy is in WAL mode, as its source is: made a file that stands alone (a rollback
    // journal), it needs no -wal or -shm beside it wherever it is opened, read-only included.
    // `relink serve` puts a restored database back in WAL mode when it opens it.
    const copy = new SQLite(partial, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    check(partial);
    renameSync(partial, file);
    context.out(context.values.json ? JSON.stringify({ file, pages: totalPages }) : `Backed up ${database.file} to ${file} (${totalPages} pages)`);
    return 0;
  } finally {
    source.close();
    // Left only if the backup failed half-way.
    for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(partial + suffix, { force: true });
  }
}

/**
 * `relink restore FILE`: puts a backup in place of the SQLite database, with every server
 * stopped. The backup is checked first and the current file is kept beside it as `.before-restore`.
 */
export async function restoreCommand(context: CliContext, from: string | undefined): Promise<number> {
  const { database } = context.config;
  if (database.kind !== 'sqlite') {
    context.err(`relink restore restores SQLite backups.\n${PG_ROUTE}`);
    return 2;
  }
  if (!from) throw new Error('name the backup file: relink restore FILE');
  const backup = resolve(from);
  if (!existsSync(backup)) throw new Error(`no backup at ${backup}`);
  check(backup);
  const staged = `${database.file}.restoring`;
  const copy = openToRead(backup);
  try {
    createPrivateFile(staged);
    await copy.backup(staged);
  } finally {
    copy.close();
  }
  if (existsSync(database.file)) {
    // Folds the WAL into the main file so the kept copy is whole, and fails if a server holds it.
    const current = new SQLite(database.file, { fileMustExist: true });
    try {
      current.pragma('busy_timeout = 0');
      const [row] = current.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (row && row.busy !== 0) throw new Error(`${database.file} is in use: stop every relink serve on it first`);
    } finally {
      current.close();
    }
    renameSync(database.file, `${database.file}.before-restore`);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(database.file + suffix, { force: true });
  renameSync(staged, database.file);
  context.out(
    `Restored ${backup} to ${database.file}${existsSync(`${database.file}.before-restore`) ? ` (the previous file is ${database.file}.before-restore)` : ''}`,
  );
  return 0;
}

/**
 * A connection that only reads (`query_only`), opened read-write all the same: a WAL-mode file
 * opened read-only gets a -wal and -shm that its connection cannot remove, so they stayed beside
 * the database after a backup and beside the backup after a restore. Read-write, the last
 * connection to close takes them away (and leaves them while a server still has the file open).
 * A write-protected file still opens, read-only.
 */
function openToRead(file: string): SQLite.Database {
  const db = new SQLite(file, { fileMustExist: true });
  db.pragma('query_only = ON');
  return db;
}

function check(file: string) {
  const copy = openToRead(file);
  try {
    const [result] = copy.pragma('integrity_check') as { integrity_check: string }[];
    if (result?.integrity_check !== 'ok') throw new Error(`${file} failed its integrity check: ${result?.integrity_check}`);
    const migrated = copy.prepare("select count(*) as n from sqlite_master where name = 'kysely_migration'").get() as { n: number };
    if (migrated.n !== 1) throw new Error(`${file} is not a Relink database`);
  } finally {
    copy.close();
  }
}
