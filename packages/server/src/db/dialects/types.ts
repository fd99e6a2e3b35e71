import type { Dialect } from 'kysely';
import type pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

/** What differs between the databases, as flags: services never ask which one they are on. */
export interface Capabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` exists (PostgreSQL). SQLite has one writer anyway. */
  skipLocked: boolean;
  /** `LISTEN/NOTIFY` can wake other instances (PostgreSQL). */
  notify: boolean;
  /**
   * A transaction may ask not to wait for its commit to reach the disk (PostgreSQL's
   * `SET LOCAL synchronous_commit = off`): still atomic and visible at once, but a crash of
   * the database server may lose it. SQLite's commits already do not wait (WAL with
   * `synchronous=NORMAL`).
   */
  asyncCommit: boolean;
}

export interface DialectSetup {
  kind: DatabaseKind;
  dialect: Dialect;
  capabilities: Capabilities;
  pool?: pg.Pool;
  /**
   * Runs `work` while no other process can migrate the same database: on SQLite inside one
   * `BEGIN IMMEDIATE` transaction (so a failed migration also leaves nothing half-made), on
   * PostgreSQL under a session advisory lock.
   */
  migrationLock<T>(work: () => Promise<T>): Promise<T>;
  /**
   * A number that moves whenever `table` may have changed, from any connection in any process,
   * cheaply enough to read on every request. Absent where no such number is cheap (PostgreSQL):
   * callers then read the table every time.
   */
  changeCounter?(table: string): number;
  /** Housekeeping a long-running server does off the request path (SQLite: WAL checkpoints). */
  startBackgroundWork?(): void;
  /**
   * Awaited by background writers (the sync sweep) before each batch: on SQLite, while the WAL
   * is over its limit, until the background checkpoints have caught up with it. Undefined when
   * there is nothing to wait for.
   */
  beforeBackgroundWrite?(): Promise<void> | undefined;
  close(): Promise<void>;
}
