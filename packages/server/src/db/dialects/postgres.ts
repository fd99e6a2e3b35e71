import pg from 'pg';
import { PostgresDialect } from 'kysely';
import type { DialectSetup } from './types.ts';

const INT8_OID = 20;

/**
 * PostgreSQL for several server instances over one database. Times are stored as epoch
 * milliseconds in BIGINT columns; they fit a JS number exactly, so INT8 is parsed as one.
 */
export function postgresDialect(url: string, poolSize = 10): DialectSetup {
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return {
    kind: 'postgres',
    dialect: new PostgresDialect({ pool }),
    capabilities: { skipLocked: true, notify: true },
    pool,
    async close() {},
  };
}
