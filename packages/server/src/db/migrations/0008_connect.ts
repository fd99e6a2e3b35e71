import type { Kysely } from 'kysely';

// Relink Connect (the widget): which origins may frame it per app, which sessions the widget
// started (with the partner's reference), and hosted links.

export async function up(db: Kysely<unknown>): Promise<void> {
  // JSON array of origins; null lets any page frame the widget.
  await db.schema.alterTable('apps').addColumn('connect_origins', 'text').execute();

  await db.schema
    .createTable('connect_sessions')
    .addColumn('session_id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('link_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('connect_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text')
    .addColumn('account_id', 'text')
    .addColumn('reference', 'text')
    .addColumn('institution_id', 'text')
    .addColumn('auth_method', 'text')
    .addColumn('redirect_url', 'text')
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('connect_links_app').on('connect_links').columns(['app_id', 'created_at']).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('connect_links').execute();
  await db.schema.dropTable('connect_sessions').execute();
  await db.schema.alterTable('apps').dropColumn('connect_origins').execute();
}
