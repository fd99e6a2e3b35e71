import type { Kysely } from 'kysely';

// Real-time data jobs (docs/data.md, "Realtime data"): one row per live bank call a partner
// asked for with `x-realtime: true`, its status and what it found. The newest job of an account
// is also its bound: while it is younger than RELINK_REALTIME_INTERVAL, no other job starts, on
// any instance. Jobs older than a day are deleted as the account's next one starts.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('realtime_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('has_new_data', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reauth_required', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('error', 'text')
    .addColumn('started_at', 'bigint', (c) => c.notNull())
    .addColumn('finished_at', 'bigint')
    .execute();
  await db.schema.createIndex('realtime_jobs_account').on('realtime_jobs').columns(['account_id', 'started_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('realtime_jobs').execute();
}
