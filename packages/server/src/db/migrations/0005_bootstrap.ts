import type { Kysely } from 'kysely';

// One-time setup steps (the first start's Sandbox app), claimed by primary key so that two
// processes starting on one fresh database cannot both perform a step.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bootstrap_steps')
    .addColumn('step', 'text', (c) => c.primaryKey())
    .addColumn('done_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('bootstrap_steps').execute();
}
