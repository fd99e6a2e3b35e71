import type { Kysely } from 'kysely';

// The /connect/demo page's one-time values (docs/security.md, "The demo page"): each page load
// mints one, stored only as its SHA-256 hash, bound to the widget session that page starts and
// spent by the one exchange it allows. Rows live 15 minutes; minting deletes the expired ones.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('connect_demos')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connect_demos_expiry').on('connect_demos').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('connect_demos').execute();
}
