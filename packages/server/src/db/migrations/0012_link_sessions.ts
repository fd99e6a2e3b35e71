import type { Kysely } from 'kysely';

// A hosted link holds at most one live session (docs/security.md, "Hosted links"):
// `live_session_id` is the one the link's last start made, every older one being ended; a start
// claims the link first (`start_token` until `start_until`), so concurrent starts cannot both
// make a session, and a start that crashed frees the link when its claim runs out.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connect_links').addColumn('live_session_id', 'text').execute();
  await db.schema.alterTable('connect_links').addColumn('start_token', 'text').execute();
  await db.schema.alterTable('connect_links').addColumn('start_until', 'bigint').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('connect_links').dropColumn('start_until').execute();
  await db.schema.alterTable('connect_links').dropColumn('start_token').execute();
  await db.schema.alterTable('connect_links').dropColumn('live_session_id').execute();
}
