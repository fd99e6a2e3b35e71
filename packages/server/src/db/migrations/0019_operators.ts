import type { Kysely } from 'kysely';

// The operator console (console/, operators/): the people who run Relink, their sessions, the
// sign-in attempts counted against them, and the audit log of everything they do.
//
// An operator's password is stored only as a memory-hard hash with its parameters
// (operators/password.ts); a set-up link's token and a session's id only as their SHA-256, so a
// copy of the database opens no console. Sign-in attempts are rows (one per email hash and per
// client address), so the limit holds across every instance sharing the database. The first
// operator, made by a first start, has no email until its set-up link gives it one (a unique
// index allows any number of NULLs on both databases).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('operators')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('email', 'text')
    .addColumn('password_hash', 'text')
    .addColumn('setup_token_hash', 'text')
    .addColumn('setup_expires_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_sign_in_at', 'bigint')
    .execute();
  await db.schema.createIndex('operators_email').on('operators').column('email').unique().execute();
  await db.schema.createIndex('operators_setup_token').on('operators').column('setup_token_hash').execute();

  await db.schema
    .createTable('operator_sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('operator_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_seen_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('operator_sessions_operator').on('operator_sessions').column('operator_id').execute();
  await db.schema.createIndex('operator_sessions_expiry').on('operator_sessions').column('expires_at').execute();

  await db.schema
    .createTable('operator_sign_in_failures')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('operator_id', 'text')
    .addColumn('actor', 'text', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('detail', 'text', (c) => c.notNull())
    .addColumn('ip', 'text')
    .execute();
  await db.schema.createIndex('audit_log_at').on('audit_log').columns(['at', 'id']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('audit_log').execute();
  await db.schema.dropTable('operator_sign_in_failures').execute();
  await db.schema.dropTable('operator_sessions').execute();
  await db.schema.dropTable('operators').execute();
}
