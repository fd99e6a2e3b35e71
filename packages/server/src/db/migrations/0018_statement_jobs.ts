import { type Kysely, sql } from 'kysely';

// PDF statements (statements/): a job per `output=pdf` call, built in the background by whichever
// instance claims it (`claimed_until`, `claim_token`, as webhook deliveries are claimed), so a
// restart or a crash mid-build leaves a job another instance finishes. Its file is a row of its
// own, beside the job rather than in it, so claims and polls never read the bytes
// (docs/benchmarks.md, "Statements", says why the database holds them and not the data directory).
// Every URL handed out for a file is a random token stored as its SHA-256 only. The sweep deletes
// a job, its file and its URLs once `expires_at` passes.
//
// `bytea` is PostgreSQL's binary type; SQLite stores the blob it is given whatever a column's
// declared type, so one portable name serves both.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('statement_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('period', 'text', (c) => c.notNull())
    .addColumn('start_at', 'bigint', (c) => c.notNull())
    .addColumn('end_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('claimed_until', 'bigint')
    .addColumn('claim_token', 'text')
    .addColumn('error', 'text')
    .addColumn('pages', 'integer')
    .addColumn('bytes', 'integer')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('built_at', 'bigint')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  // Jobs still to build, oldest first, with what the claim reads and the app (the per-app cap
  // counts them): at most 10 an app (MAX_BUILDING_PER_APP), so both read a small index alone.
  await db.schema
    .createIndex('statement_jobs_building')
    .on('statement_jobs')
    .columns(['created_at', 'claimed_until', 'id', 'app_id'])
    .where(sql.ref('status'), '=', 'BUILDING')
    .execute();
  await db.schema.createIndex('statement_jobs_expiry').on('statement_jobs').column('expires_at').execute();

  await db.schema
    .createTable('statement_files')
    .addColumn('job_id', 'text', (c) => c.primaryKey())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('statement_urls')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('statement_urls_job').on('statement_urls').column('job_id').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('statement_urls').execute();
  await db.schema.dropTable('statement_files').execute();
  await db.schema.dropTable('statement_jobs').execute();
}
