import type { Kysely } from 'kysely';

// Warnings before a login breaks (docs/connectors.md): a connector may say when the bank will
// stop accepting the stored login (a consent that lapses, a password the bank expires). Each
// sync keeps that time on the account (`login_expires_at`, shown as `reauth_due_at`), and the
// expiry a `reauthorisation_due` was sent for (`reauth_due_notified_for`), so one goes out
// once per expiry, whichever instance syncs.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').addColumn('login_expires_at', 'bigint').execute();
  await db.schema.alterTable('accounts').addColumn('reauth_due_notified_for', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('accounts').dropColumn('reauth_due_notified_for').execute();
  await db.schema.alterTable('accounts').dropColumn('login_expires_at').execute();
}
