import type { Kysely } from 'kysely';

// Expired Idempotency-Key rows are swept by expiry time; without this index the sweep scans.

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createIndex('idempotency_keys_expires').on('idempotency_keys').column('expires_at').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('idempotency_keys_expires').execute();
}
