import type pg from 'pg';
import { pg as loadPg } from '../../lib/lazy.ts';
import { PostgresDialect } from 'kysely';
import type { DialectSetup } from './types.ts';

const INT8_OID = 20;
/** An arbitrary constant naming Relink's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x52_4c_4e_4b; // "RLNK"

/**
 * PostgreSQL for several server instances over one database. Times are stored as epoch
 * milliseconds in BIGINT columns; they fit a JS number exactly, so INT8 is parsed as one.
 */
export function postgresDialect(url: string, poolSize = 10): DialectSetup {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
      return loadPg().types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
  const pool = new (loadPg().Pool)({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    dialect: new PostgresDialect({ pool }),
    capabilities: { skipLocked: true, notify: true, asyncCommit: true },
    pool,
    // Kysely's own lock is taken only after it has created its bookkeeping tables, and two
    // concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalogue.
    // A session lock on a connection of its own serialises the whole run.
    async migrationLock(work) {
      const client = await pool.connect();
      try {
        await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
        try {
          return await work();
        } finally {
          await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]);
        }
      } finally {
        client.release();
      }
    },
    async close() {},
  };
}
