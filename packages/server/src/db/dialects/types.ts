import type { Dialect } from 'kysely';
import type pg from 'pg';

export type DatabaseKind = 'sqlite' | 'postgres';

/** What differs between the databases, as flags: services never ask which one they are on. */
export interface Capabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` exists (PostgreSQL). SQLite has one writer anyway. */
  skipLocked: boolean;
  /** `LISTEN/NOTIFY` can wake other instances (PostgreSQL). */
  notify: boolean;
}

export interface DialectSetup {
  kind: DatabaseKind;
  dialect: Dialect;
  capabilities: Capabilities;
  pool?: pg.Pool;
  close(): Promise<void>;
}
