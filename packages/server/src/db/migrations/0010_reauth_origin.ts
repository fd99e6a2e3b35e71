import type { Kysely } from 'kysely';

// Who started a session (docs/security.md, "The public surface"): `partner` (the secret key, or
// a reauth token or hosted link the partner issued) or `public` (the widget with only the app's
// public key and an account id). A re-authorisation started by the partner supersedes one a
// public-key holder started, so the account's hold records the holder's origin too; attempts in
// public sessions also count toward a smaller per-bank-user cap of their own.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('sessions')
    .addColumn('origin', 'text', (c) => c.notNull().defaultTo('partner'))
    .execute();
  await db.schema.alterTable('accounts').addColumn('reauth_session_origin', 'text').execute();
  await db.schema.createIndex('sessions_account_live').on('sessions').columns(['account_id', 'status']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('sessions_account_live').execute();
  await db.schema.alterTable('accounts').dropColumn('reauth_session_origin').execute();
  await db.schema.alterTable('sessions').dropColumn('origin').execute();
}
