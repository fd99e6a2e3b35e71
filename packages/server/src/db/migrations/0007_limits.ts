import type { Kysely } from 'kysely';

// Attempt caps per bank user (docs/security.md): one row per (bank user, kind of attempt),
// shared by every instance, so no sequence of sessions can lock a user out at their bank.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bank_user_failures')
    .addColumn('bank_user', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bank_user_failures_pk', ['bank_user', 'kind'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bank_user_failures').execute();
}
