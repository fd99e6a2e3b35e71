import { createHash } from 'node:crypto';
import type pg from 'pg';
import { pg as loadPg } from '../../lib/lazy.ts';
import { PostgresDialect, type PostgresPool } from 'kysely';
import type { DialectSetup } from './types.ts';

const INT8_OID = 20;
/** An arbitrary constant naming Relink's migration lock among the database's advisory locks. */
const MIGRATION_LOCK = 0x52_4c_4e_4b; // "RLNK"

/**
 * PostgreSQL for several server instances over one database. Times are stored as epoch
 * milliseconds in BIGINT columns; they fit a JS number exactly, so INT8 is parsed as one.
 */
export function postgresDialect(url: string, options: { preparedStatements?: boolean; poolSize?: number } = {}): DialectSetup {
  const poolSize = options.poolSize ?? 10;
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
      return loadPg().types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
  const pool = new (loadPg().Pool)({ connectionString: url, max: poolSize, types, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  // Nor may a checked-out one between its queries (a transaction awaiting the app's code when
  // the server goes away): pg emits that on the client, where nobody listens, and the process
  // died of it under load. Its next query fails instead (503 to the caller), and the pool drops
  // the client when it is released.
  pool.on('connect', (client) => client.on('error', () => {}));
  return {
    kind: 'postgres',
    dialect: new PostgresDialect({ pool: options.preparedStatements === false ? pool : preparingOnce(pool) }),
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

/** Past this many different statement texts, further ones are sent unnamed (each connection keeps what it prepared). */
const MAX_PREPARED = 2_000;
const TRANSACTION_BEGINS = /^\s*(begin|start\s+transaction)\b/i;
/** `rollback to savepoint` leaves the transaction open. */
const TRANSACTION_ENDS = /^\s*(commit|end|rollback)\b(?!\s+to\b)/i;
/** PostgreSQL's answer when a table a prepared statement reads changed shape (another instance migrated). */
const STALE_PLAN = /cached plan must not change result type/;

/**
 * The pool Kysely is given (the migration lock and the LISTEN connection use the plain one):
 * statements prepared once per connection and reused. Each parameterised statement is sent
 * under a name derived from its text, so PostgreSQL parses and plans it on a connection's
 * first use only. Kysely sends every statement unnamed, which PostgreSQL parses and plans
 * again each time: about half of its CPU per request on the bench's cases (docs/benchmarks.md).
 * Statements without parameters (DDL, BEGIN, COMMIT) stay unnamed.
 *
 * When another instance's migration changes a table under a prepared `SELECT *`, PostgreSQL
 * refuses the old statement ("cached plan must not change result type"). Every name then moves
 * to a new generation, so each statement is prepared afresh on its next use, and a statement
 * outside a transaction is retried at once; one inside a transaction fails with its transaction
 * (the transaction is already aborted) and succeeds when the caller tries again.
 */
function preparingOnce(pool: pg.Pool): PostgresPool {
  const names = new Map<string, string>();
  let generation = 0;
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < MAX_PREPARED) names.set(text, (name = `relink_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`));
    return name === undefined ? undefined : `${name}_${generation}`;
  };
  const wrapped = new WeakSet<pg.PoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      if (wrapped.has(client)) return client;
      wrapped.add(client);
      const query = client.query.bind(client) as (config: unknown, values?: unknown) => Promise<pg.QueryResult>;
      let inTransaction = false;
      const named = async (text: string, values: unknown[]) => {
        const used = generation;
        const name = nameOf(text);
        if (name === undefined) return query(text, values);
        try {
          return await query({ name, text, values });
        } catch (error) {
          if (!STALE_PLAN.test((error as Error).message ?? '')) throw error;
          if (used === generation) generation++;
          if (inTransaction) throw error;
          return query({ name: nameOf(text), text, values });
        }
      };
      (client as unknown as { query: unknown }).query = (config: unknown, values?: unknown) => {
        if (typeof config !== 'string') return query(config, values);
        if (Array.isArray(values) && values.length > 0) return named(config, values);
        if (TRANSACTION_BEGINS.test(config)) inTransaction = true;
        else if (TRANSACTION_ENDS.test(config)) inTransaction = false;
        return query(config, values);
      };
      return client;
    },
    end: () => pool.end(),
  };
}
