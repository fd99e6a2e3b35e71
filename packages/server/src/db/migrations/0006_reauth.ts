import { type Kysely, sql } from 'kysely';

// Re-authorisation: single-use reauth tokens, one live reauth session per account as a guarded
// write on the account row, a session status outside the JSON state (so unfinished and expired
// sessions can be found), and the sandbox bank's own state (changed passwords, forced MFA).

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('reauth_tokens')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull().references('apps.id'))
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema.alterTable('accounts').addColumn('reauth_session_id', 'text').execute();
  await db.schema.alterTable('accounts').addColumn('reauth_session_expires_at', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('last_sync_error', 'text').execute();

  await db.schema
    .alterTable('sessions')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('awaiting_login'))
    .execute();
  await sql`update sessions set status = 'completed' where account_id is not null and kind = 'link'`.execute(db);
  await db.schema.createIndex('sessions_expiry').on('sessions').columns(['status', 'expires_at']).execute();

  await db.schema
    .createTable('sandbox_bank_users')
    .addColumn('institution_id', 'text', (c) => c.notNull())
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text')
    .addColumn('force_mfa', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('sandbox_bank_users_pk', ['institution_id', 'username'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('sandbox_bank_users').execute();
  await db.schema.dropIndex('sessions_expiry').execute();
  await db.schema.alterTable('sessions').dropColumn('status').execute();
  for (const column of ['last_sync_error', 'reauth_session_expires_at', 'reauth_session_id']) {
    await db.schema.alterTable('accounts').dropColumn(column).execute();
  }
  await db.schema.dropTable('reauth_tokens').execute();
}
