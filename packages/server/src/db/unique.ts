/**
 * Whether a statement failed on a unique index: PostgreSQL's SQLSTATE 23505, SQLite's
 * `SQLITE_CONSTRAINT_UNIQUE`. The one place that knows both databases' words for it, so a store
 * can answer "taken" for the write that lost a race the index decided.
 */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}
